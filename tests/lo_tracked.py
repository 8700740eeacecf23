"""Accept or reject every tracked change of a DOCX in LibreOffice Writer, as a co-author would, and save its text.

Run with a python3 that can ``import uno`` (Debian's system python with LibreOffice):

    python3 tests/lo_tracked.py accept|reject|none IN.docx OUT.txt

Used by tests/test_diff.py: the marked-up copy with all changes accepted must read
as the new version, with all rejected as the old one. ``none`` only converts.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue

action, source, target = sys.argv[1:4]
pipe = f"charter_tracked_{os.getpid()}"
profile = tempfile.mkdtemp(prefix="charter-lo-")
process = subprocess.Popen(["soffice", "--headless", "--invisible", "--norestore", f"-env:UserInstallation=file://{profile}",
                            f"--accept=pipe,name={pipe};urp;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    context = None
    for _ in range(120):
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.5)
    if context is None:
        sys.exit("LibreOffice did not start")
    desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(source)), "_blank", 0,
                                            (prop("Hidden", True),))
    if action != "none":
        dispatcher = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", context)
        command = ".uno:AcceptAllTrackedChanges" if action == "accept" else ".uno:RejectAllTrackedChanges"
        dispatcher.executeDispatch(document.getCurrentController().getFrame(), command, "", 0, ())
    remaining = document.getRedlines().createEnumeration()
    count = 0
    while remaining.hasMoreElements():
        remaining.nextElement()
        count += 1
    print(f"tracked changes left: {count}")
    document.storeToURL(uno.systemPathToFileUrl(os.path.abspath(target)),
                        (prop("FilterName", "Text (encoded)"), prop("FilterOptions", "UTF8,LF")))
    document.close(True)
finally:
    process.terminate()
    process.wait(timeout=60)
    shutil.rmtree(profile, ignore_errors=True)  # a profile is ~10 MB; one per run would fill /tmp
