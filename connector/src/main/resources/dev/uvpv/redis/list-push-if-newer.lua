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
-- both JSON objects in which each Fi is a string in both or a number in both, and the value's tuple <= the
-- end's tuple. Tuples compare lexicographically: the first Fi that differs decides (all equal: the value
-- is skipped). Strings compare byte by byte; numbers numerically (cjson reads them as doubles, so integers
-- beyond 2^53 compare approximately). Otherwise it is pushed as LPUSH/RPUSH would: an empty list, an end or
-- a value that is not a JSON object, lacks an Fi or has null, a boolean, NaN, an object or an array as an Fi,
-- or an Fi that is a string in one and a number in the other. Returns 1 if pushed, 0 if skipped.
local key, side, names, value, ttl = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]

local fields = {}
for name in string.gmatch(names, '[^,]+') do
  fields[#fields + 1] = name
end

-- The tuple of json, or nil when json is not a JSON object whose every Fi is a string or a number.
local function tuple_of(json)
  local ok, decoded = pcall(cjson.decode, json)
  if not ok or type(decoded) ~= 'table' then
    return nil
  end
  local tuple = {}
  for i = 1, #fields do
    local f = decoded[fields[i]]
    local t = type(f)
    -- f ~= f: NaN, which cjson reads from NaN; it is not ordered
    if (t ~= 'string' and t ~= 'number') or f ~= f then
      return nil
    end
    tuple[i] = f
  end
  return tuple
end

-- -1, 0 or 1 as a < b, a == b or a > b; nil for a string and a number.
local function compare(a, b)
  local ta = type(a)
  if ta ~= type(b) then
    return nil
  end
  if a == b then
    return 0
  end
  if ta == 'number' then
    return a < b and -1 or 1
  end
  -- by bytes: Lua's own < on strings uses strcoll, which depends on the server's locale
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then
      return x < y and -1 or 1
    end
  end
  return #a < #b and -1 or 1
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
