--[[
Charter's first pass, run before citeproc (so the spliced Table 1 citations
are formatted and listed among the references):

* a cross-reference such as @tbl-studies or @fig-prisma becomes its number
  ("Table 1"), as plain text: Word fields or table bookmarks referenced from
  text are what make Word report other tools' files as corrupt;
* a placement Div (::: {#tbl-studies .charter-placement}) is replaced by the
  blocks of the pandoc JSON file the build wrote for it (Table 1 built in
  Python from the study files, so no study text is ever read as Markdown).

The build passes both maps in the metadata: charter-labels (label -> text)
and charter-splice (label -> JSON file).
]]

local labels = {}
local splices = {}

local function read_meta(meta)
  for key, value in pairs(meta["charter-labels"] or {}) do
    labels[key] = pandoc.utils.stringify(value)
  end
  for key, value in pairs(meta["charter-splice"] or {}) do
    splices[key] = pandoc.utils.stringify(value)
  end
end

local function cross_reference(cite)
  local out = pandoc.Inlines{}
  local rest = pandoc.List{}
  for _, citation in ipairs(cite.citations) do
    local text = labels[citation.id]
    if text then
      if #citation.prefix > 0 then
        out:extend(citation.prefix)
        out:insert(pandoc.Space())
      end
      out:insert(pandoc.Str(text))
      out:extend(citation.suffix)
    else
      rest:insert(citation)
    end
  end
  if #rest == #cite.citations then
    return nil
  end
  if #rest > 0 then
    out:insert(pandoc.Space())
    out:insert(pandoc.Cite(pandoc.Inlines{}, rest))
  end
  return out
end

local function splice(div)
  local path = splices[div.identifier]
  if not div.classes:includes("charter-placement") or not path then
    return nil
  end
  local file = assert(io.open(path, "rb"))
  local content = file:read("a")
  file:close()
  return pandoc.read(content, "json").blocks
end

return {
  { Meta = read_meta },
  { Cite = cross_reference, Div = splice },
}
