-- The list.push-if-newer-field option: LPUSH or RPUSH one JSON value unless the list already ends
-- with an entry at least as new, so that entries replayed after a restore are not pushed twice.
--
-- KEYS[1] the list
-- ARGV[1] 'L' (LPUSH: compare with the head, index 0) or 'R' (RPUSH: compare with the tail, index -1)
-- ARGV[2] the fields F1,...,Fn, comma-separated, for example window_end or window_end,product_id (the sink
--         has checked that each is a non-empty name, named once, without spaces around it)
-- ARGV[3] the value to push
-- ARGV[4] seconds for EXPIRE after the write (pushed or not), or '' for none
--
-- The tuple of a JSON object is (F1, ..., Fn). The value is skipped when it and the entry at that end are
-- both JSON objects in which each Fi is a string in both, a number in both or a boolean in both, and the
-- value's tuple <= the end's tuple. Tuples compare lexicographically: the first Fi that differs decides (all
-- equal: the value is skipped). Strings compare byte by byte. Booleans: false < true. Numbers numerically:
-- two integers (their JSON text is digits with an optional sign, such as a BIGINT the job writes) compare
-- exactly, from their text, since cjson reads numbers as doubles and two integers beyond 2^53 can read as the
-- same double; any other pair (one has a fraction or an exponent) compares as the doubles cjson reads.
-- Otherwise it is pushed as LPUSH/RPUSH would: an empty list, an end or a value that is not a JSON object,
-- lacks an Fi or has null, NaN, an object or an array as an Fi, or an Fi whose JSON types differ in the two
-- (a string and a number, a boolean and a string, ...). Returns 1 if pushed, 0 if skipped.
local key, side, names, value, ttl = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]

local fields = {}
for name in string.gmatch(names, '[^,]+') do
  fields[#fields + 1] = name
end

-- The index of the '"' that closes the JSON string opening at json[i].
local function string_end(json, i)
  local at = i + 1
  while true do
    local j = string.find(json, '["\\]', at)
    if string.byte(json, j) == 34 then -- '"'
      return j
    end
    at = j + 2 -- a backslash and the character it escapes (the 'u' of \uXXXX)
  end
end

-- The index of the '}' or ']' that closes the JSON object or array opening at json[i].
local function container_end(json, i)
  local depth, at = 0, i
  while true do
    local j = string.find(json, '[{}%[%]"]', at)
    local c = string.byte(json, j)
    if c == 34 then -- '"': skip the string, which may hold brackets
      j = string_end(json, j)
    elseif c == 123 or c == 91 then -- '{', '['
      depth = depth + 1
    else
      depth = depth - 1
      if depth == 0 then
        return j
      end
    end
    at = j + 1
  end
end

-- The JSON text of each top-level member of the JSON object json whose value is not a string, an object or
-- an array (a number, true, false or null), by member name; the last one wins for a name given twice, as in
-- cjson. json must be text cjson has decoded to a table, so this walk needs no error handling: only the
-- top level is read, and the strings, objects and arrays in it are skipped whole, so a name that also
-- appears inside a string value or a nested object is not matched. nil if json does not start with '{'.
local function raw_scalars(json)
  local at = string.match(json, '^[ \t\n\r]*(){')
  if not at then
    return nil
  end
  local raw = {}
  at = at + 1
  while true do
    at = string.find(json, '[^ \t\n\r,]', at) -- the next member's name, or the closing '}'
    if string.byte(json, at) == 125 then -- '}'
      return raw
    end
    local close = string_end(json, at)
    local name = string.sub(json, at + 1, close - 1)
    if string.find(name, '\\', 1, true) then
      name = cjson.decode(string.sub(json, at, close)) -- undo escapes such as \u005f
    end
    at = string.find(json, '[^ \t\n\r:]', close + 1) -- the value
    local c = string.byte(json, at)
    if c == 34 then -- '"'
      raw[name] = nil
      at = string_end(json, at) + 1
    elseif c == 123 or c == 91 then -- '{', '['
      raw[name] = nil
      at = container_end(json, at) + 1
    else
      local stop = string.find(json, '[ \t\n\r,}]', at)
      raw[name] = string.sub(json, at, stop - 1)
      at = stop
    end
  end
end

-- A number's sort key: {number = n, the double cjson read}, and for JSON text that is an integer (an optional
-- sign and digits) also integer = true, negative and digits (without leading zeros; -0 and 0 are the same).
local function number_of(n, text)
  local key = { number = n }
  local sign, digits = string.match(text or '', '^([-+]?)0*([0-9]*)$')
  if digits and string.find(text, '[0-9]') then
    key.integer, key.negative, key.digits = true, sign == '-' and digits ~= '', digits
  end
  return key
end

-- The tuple of json, or nil when json is not a JSON object whose every Fi is a string, a number or a boolean.
-- A string or a boolean is itself in the tuple; a number is a table of number_of.
local function tuple_of(json)
  local ok, decoded = pcall(cjson.decode, json)
  if not ok or type(decoded) ~= 'table' then
    return nil
  end
  local tuple, raw = {}, nil
  for i = 1, #fields do
    local f = decoded[fields[i]]
    local t = type(f)
    -- f ~= f: NaN, which cjson reads from NaN; it is not ordered
    if (t ~= 'string' and t ~= 'number' and t ~= 'boolean') or f ~= f then
      return nil
    end
    if t == 'number' then
      raw = raw or raw_scalars(json) or {}
      f = number_of(f, raw[fields[i]])
    end
    tuple[i] = f
  end
  return tuple
end

-- -1, 0 or 1 as string a < b, a == b or a > b, by bytes: Lua's own < on strings uses strcoll, which depends
-- on the server's locale.
local function compare_bytes(a, b)
  if a == b then
    return 0
  end
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then
      return x < y and -1 or 1
    end
  end
  return #a < #b and -1 or 1
end

-- Two numbers of number_of: exactly when both are integers, else as doubles.
local function compare_numbers(a, b)
  if a.integer and b.integer then
    if a.negative ~= b.negative then
      return a.negative and -1 or 1
    end
    -- the same sign: more digits is farther from 0; as many, the first digit that differs decides
    local c
    if #a.digits ~= #b.digits then
      c = #a.digits < #b.digits and -1 or 1
    else
      c = compare_bytes(a.digits, b.digits)
    end
    return a.negative and -c or c
  end
  if a.number == b.number then
    return 0
  end
  return a.number < b.number and -1 or 1
end

-- -1, 0 or 1 as a < b, a == b or a > b; nil when their JSON types differ.
local function compare(a, b)
  local ta = type(a)
  if ta ~= type(b) then
    return nil
  end
  if ta == 'table' then
    return compare_numbers(a, b)
  end
  if a == b then
    return 0
  end
  if ta == 'boolean' then
    return a and 1 or -1 -- false < true
  end
  return compare_bytes(a, b)
end

-- new <= old as tuples; false (push) when some Fi cannot be compared, even after one that decides.
local function not_greater(new, old)
  local order = 0
  for i = 1, #fields do
    local c = compare(new[i], old[i])
    if c == nil then
      return false
    end
    if order == 0 then
      order = c
    end
  end
  return order <= 0
end

local pushed = 1
local new = tuple_of(value)
if new then
  local last = redis.call('LINDEX', key, side == 'L' and 0 or -1)
  if last then
    local old = tuple_of(last)
    if old and not_greater(new, old) then
      pushed = 0
    end
  end
end
if pushed == 1 then
  redis.call(side == 'L' and 'LPUSH' or 'RPUSH', key, value)
end
if ttl ~= '' then
  redis.call('EXPIRE', key, ttl)
end
return pushed
