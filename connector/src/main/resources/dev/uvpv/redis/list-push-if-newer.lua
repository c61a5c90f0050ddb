-- The list.push-if-newer-field option: LPUSH or RPUSH one JSON value unless the list already ends
-- with an entry at least as new, so that entries replayed after a restore are not pushed twice.
--
-- KEYS[1] the list
-- ARGV[1] 'L' (LPUSH: compare with the head, index 0) or 'R' (RPUSH: compare with the tail, index -1)
-- ARGV[2] the field F, for example window_end
-- ARGV[3] the value to push
-- ARGV[4] seconds for EXPIRE after the write (pushed or not), or '' for none
--
-- The value is skipped when it and the entry at that end are both JSON objects whose F is a string,
-- and the value's F <= the end's F, compared byte by byte. Otherwise (an empty list, an end or a value
-- that is not such an object) it is pushed as LPUSH/RPUSH would. Returns 1 if pushed, 0 if skipped.
local key, side, field, value, ttl = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]

local function field_of(json)
  local ok, decoded = pcall(cjson.decode, json)
  if ok and type(decoded) == 'table' then
    local f = decoded[field]
    if type(f) == 'string' then
      return f
    end
  end
  return nil
end

-- a <= b by bytes. Lua's own < on strings uses strcoll, which depends on the server's locale.
local function not_greater(a, b)
  if a == b then
    return true
  end
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then
      return x < y
    end
  end
  return #a < #b
end

local pushed = 1
local new = field_of(value)
if new then
  local last = redis.call('LINDEX', key, side == 'L' and 0 or -1)
  if last then
    local old = field_of(last)
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
