--[[
Charter's first pass, run before citeproc (so the spliced Table 1 citations
are formatted and listed among the references):

* a cross-reference such as @tbl-studies or @fig-prisma becomes its number
  ("Table 1"), as plain text: Word fields or table bookmarks referenced from
  text are what make Word report other tools' files as corrupt;
* a placement Div (::: {#tbl-studies .charter-placement}) is replaced by the
  blocks of the pandoc JSON file the build wrote for it (Table 1 built in
  Python from the study files, so no study text is ever read as Markdown);
  the table's caption and note, which the authors write in Markdown in
  review.yaml, come inside the placement Div (.charter-caption,
  .charter-note) already read by pandoc, and replace the literal ones.

The build passes the labels in the metadata (charter-labels: label -> text).
The files to splice (label -> JSON file) and the images of the text (path as
written -> path from the project folder, checked to lie inside it) are the
build's own settings: they come from the JSON file named by the environment
variable CHARTER_FILTER_SETTINGS, never from the document's metadata, so no
text an author (or a pull request) writes can make this filter open a file.
The grouped citation runs of a large review give it nothing to splice and
splice in Python instead (charter/compile/splice.py does what `splice` below
does; change both together: tests/test_splice.py compares them).
]]

local labels = {}
local splices = {}
local image_paths = {} -- path as written -> path from the project folder

local function read_settings()
  local name = os.getenv("CHARTER_FILTER_SETTINGS")
  if not name then
    return
  end
  local file = assert(io.open(name, "rb"))
  local settings = pandoc.json.decode(file:read("a"), false)
  file:close()
  for key, value in pairs(settings.splice or {}) do
    splices[key] = value
  end
  for key, value in pairs(settings.images or {}) do
    image_paths[key] = value
  end
end

local function read_meta(meta)
  for key, value in pairs(meta["charter-labels"] or {}) do
    labels[key] = pandoc.utils.stringify(value)
  end
  read_settings()
end

-- An image in the text, by its path from the project folder (pandoc runs there, sandboxed,
-- with each image given on its command line); one the build did not check is left as
-- written, and the sandboxed DOCX writer cannot read it.
local function locate_image(image)
  local located = image_paths[image.src]
  if located then
    image.src = located
    return image
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

-- The inlines of a Div's paragraphs, paragraphs joined by a space.
local function inlines_of(div)
  local out = pandoc.Inlines{}
  for _, block in ipairs(div.content) do
    if block.content then
      if #out > 0 then out:insert(pandoc.Space()) end
      out:extend(block.content)
    end
  end
  return out
end

local function authored_part(div, class)
  for _, block in ipairs(div.content) do
    if block.t == "Div" and block.classes:includes(class) then
      return inlines_of(block)
    end
  end
  return nil
end

local function splice(div)
  local path = splices[div.identifier]
  if not div.classes:includes("charter-placement") or not path then
    return nil
  end
  local file = assert(io.open(path, "rb"))
  local content = file:read("a")
  file:close()
  local blocks = pandoc.read(content, "json").blocks
  local caption = authored_part(div, "charter-caption")
  local note = authored_part(div, "charter-note")
  -- Table 1 and its note are top-level blocks of the spliced file: no need to walk
  -- into the table (a walk hands every cell of a long table to Lua, which is slow).
  for _, block in ipairs(blocks) do
    if block.t == "Table" and caption and #block.caption.long > 0 then
      local label = block.caption.long[1].content[1] -- Strong "Table 1."
      local text = pandoc.Inlines{label, pandoc.Space()}
      text:extend(caption)
      block.caption.long = pandoc.Blocks{pandoc.Plain(text)}
    elseif block.t == "Div" and note and block.classes:includes("charter-table-note") then
      local text = pandoc.Inlines{pandoc.Emph{pandoc.Str("Note.")}, pandoc.Space()}
      text:extend(note)
      block.content = pandoc.Blocks{pandoc.Para(text)}
    end
  end
  return blocks
end

return {
  { Meta = read_meta },
  { Cite = cross_reference, Div = splice, Image = locate_image },
}
