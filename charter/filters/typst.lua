--[[
Charter's Typst pass (pandoc JSON -> Typst):

* drop what only the DOCX shows: the title page made of Word styles (the
  Typst template draws its own from the metadata) and blocks marked
  .charter-docx-only (the PNG of the flow diagram; Typst draws it as vector);
* unwrap the ch_* anchor Divs and Spans: they are bookmarks for the DOCX
  review loop and would only add Typst blocks and labels here;
* in tables, make each paragraph of a cell (each finding, internal and
  external validity) its own Typst paragraph: the writer joins Plain blocks
  with a bare newline, which Typst reads as a space;
* in tables, give very long words break opportunities (zero-width spaces):
  Typst does not break a word that has no hyphenation point, so a 200-letter
  word would run out of its cell and off the page.
]]

local LONG_WORD = 18 -- characters; a narrow Table 1 column holds about this many
local ZWSP = utf8.char(0x200B)

local function breakable(str)
  if utf8.len(str.text) == nil or utf8.len(str.text) <= LONG_WORD then
    return nil
  end
  local pieces, count = {}, 0
  for _, code in utf8.codes(str.text) do
    count = count + 1
    pieces[#pieces + 1] = utf8.char(code)
    if count % 10 == 0 then
      pieces[#pieces + 1] = ZWSP
    end
  end
  return pandoc.Str(table.concat(pieces))
end

return {
  {
    Div = function(div)
      if div.classes:includes("charter-titlepage") or div.classes:includes("charter-docx-only") then
        return {}
      end
      if div.identifier:match("^ch_") then
        return div.content
      end
    end,
    Span = function(span)
      if span.identifier:match("^ch_") then
        return span.content
      end
    end,
  },
  {
    Table = function(tbl)
      return tbl:walk {
        Str = breakable,
        Plain = function(plain) return pandoc.Para(plain.content) end,
      }
    end,
  },
}
