import { sha1 } from "@oslojs/crypto/sha1";
import { encodeHexLowerCase } from "@oslojs/encoding";

/**
 * The store's Lua scripts. Each runs atomically on the server; every key a script touches
 * shares the store's hash tag, so on Redis Cluster it runs on one node. Times come in as
 * arguments from the app's clock and TTLs are relative (`PEXPIRE`), so the server's own clock
 * never decides anything (FR-07). Values in the hash are JSON texts: a state reads `"active"`
 * with its quotes, and numbers are compared with `tonumber` and written back as the text the
 * app sent, never formatted by Lua.
 */

/** A script with its SHA-1, for EVALSHA. */
export interface RedisScript {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

// Helpers shared by the scripts, prepended to each one.
const PRELUDE = `
local function is_hash(key)
  return redis.call('TYPE', key)['ok'] == 'hash'
end

-- Runs cmd over list[first..last] in chunks, below Lua's unpack limit. Pairs stay whole.
local function chunked(cmd, key, list, first, last)
  local i = first
  while i <= last do
    local j = math.min(i + 199, last)
    redis.call(cmd, key, unpack(list, i, j))
    i = j + 1
  end
end

-- The user index a session's hash names, or nil: nil too when the name is not an index key of
-- this store (a hash edited by hand), so that no script touches a key it does not own.
local function index_of(key)
  local ix = redis.call('HGET', key, 'ix')
  if not ix then return nil end
  local own = string.match(key, '^{[^}]*}') .. 'u:'
  if string.sub(ix, 1, #own) ~= own then return nil end
  local kind = redis.call('TYPE', ix)['ok']
  if kind ~= 'zset' and kind ~= 'none' then return nil end
  return ix
end

-- Sets a TTL of ms milliseconds, or deletes the key (and its index entry) when ms <= 0.
local function expire_or_delete(key, ms, id)
  if ms > 0 then
    redis.call('PEXPIRE', key, math.ceil(ms))
    return true
  end
  local ix = index_of(key)
  redis.call('DEL', key)
  if ix then redis.call('ZREM', ix, id) end
  return false
end

-- Keeps id in a user index until at least deadline (a score only moves up), drops entries
-- whose deadline has passed, and keeps the index alive as long as its latest deadline.
local function index_keep(ikey, id, deadline, now)
  local score = tonumber(redis.call('ZSCORE', ikey, id))
  if score == nil or deadline > score then redis.call('ZADD', ikey, deadline, id) end
  redis.call('ZREMRANGEBYSCORE', ikey, '-inf', now)
  local ms = deadline - now
  if ms > redis.call('PTTL', ikey) then redis.call('PEXPIRE', ikey, math.ceil(ms)) end
end

-- Turns an active session into a revoked tombstone: data emptied, deadline cut to
-- until_text (kept when earlier). A tombstone already past its deadline is deleted. Records in
-- another state are left as they are. Returns 1 when it revoked, else 0.
local function revoke_one(key, id, now, until_text)
  if not is_hash(key) then return 0 end
  if redis.call('HGET', key, 'state') ~= '"active"' then return 0 end
  local stale = {}
  for _, field in ipairs(redis.call('HKEYS', key)) do
    if string.sub(field, 1, 2) == 'd:' then stale[#stale + 1] = field end
  end
  chunked('HDEL', key, stale, 1, #stale)
  local expires = tonumber(redis.call('HGET', key, 'expiresAt'))
  local until_ms = tonumber(until_text)
  if expires == nil or until_ms < expires then
    redis.call('HSET', key, 'expiresAt', until_text)
    expires = until_ms
  end
  redis.call('HSET', key, 'state', '"revoked"')
  expire_or_delete(key, expires - now, id)
  return 1
end
`;

// KEYS: session[, index]. ARGV: now, ttl ms, index score, id, field, value, …
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
if ttl <= 0 then return 1 end
chunked('HSET', KEYS[1], ARGV, 5, #ARGV)
redis.call('PEXPIRE', KEYS[1], ttl)
if KEYS[2] then index_keep(KEYS[2], ARGV[4], tonumber(ARGV[3]), now) end
return 1
`;

// KEYS: session. ARGV: now, id, lastSeenAt, idleExpiresAt, expiresAt, the lastSeenAt the
// renewal was computed from or ''. A renewal older than the stored one is dropped (lastSeenAt
// never moves back); one computed from a lastSeenAt that another request has since moved is
// dropped too, so racing validates write one renewal per interval. A deadline already past
// deletes the record.
const TOUCH = `
local key = KEYS[1]
if not is_hash(key) then return 0 end
if redis.call('HGET', key, 'state') ~= '"active"' then return 0 end
local now = tonumber(ARGV[1])
local seen = tonumber(redis.call('HGET', key, 'lastSeenAt'))
if seen ~= nil and tonumber(ARGV[3]) < seen then return 1 end
if ARGV[6] ~= '' and seen ~= tonumber(ARGV[6]) then return 1 end
redis.call('HSET', key, 'lastSeenAt', ARGV[3], 'idleExpiresAt', ARGV[4], 'expiresAt', ARGV[5])
if not expire_or_delete(key, tonumber(ARGV[5]) - now, ARGV[2]) then return 0 end
local ix = index_of(key)
if ix then index_keep(ix, ARGV[2], tonumber(ARGV[5]), now) end
return 1
`;

// KEYS: session. ARGV: now, id, expected version or '', 'patch' | 'replace', max bytes,
// count of set texts (2 per key), set field/value pairs, then fields to delete.
const WRITE_DATA = `
local key = KEYS[1]
if not is_hash(key) then return {'missing'} end
local now = tonumber(ARGV[1])
local expires = tonumber(redis.call('HGET', key, 'expiresAt'))
if expires == nil then return {'missing'} end
if expires <= now then
  expire_or_delete(key, 0, ARGV[2])
  return {'missing'}
end
if redis.call('HGET', key, 'state') ~= '"active"' then return {'inactive'} end
local version = tonumber(redis.call('HGET', key, 'version'))
if version == nil then return {'missing'} end
if ARGV[3] ~= '' and tonumber(ARGV[3]) ~= version then return {'conflict'} end

local set_first = 7
local set_last = 6 + tonumber(ARGV[6])
local fields = {}
local all = redis.call('HGETALL', key)
for i = 1, #all, 2 do fields[all[i]] = all[i + 1] end
local stale = {}
if ARGV[4] == 'replace' then
  for field, _ in pairs(fields) do
    if string.sub(field, 1, 2) == 'd:' then
      stale[#stale + 1] = field
      fields[field] = nil
    end
  end
end
for i = set_first, set_last, 2 do fields[ARGV[i]] = ARGV[i + 1] end
for i = set_last + 1, #ARGV do fields[ARGV[i]] = nil end
local bytes = 0
for field, value in pairs(fields) do bytes = bytes + #field + #value end
if bytes > tonumber(ARGV[5]) then return {'too-large', bytes} end

chunked('HDEL', key, stale, 1, #stale)
chunked('HSET', key, ARGV, set_first, set_last)
chunked('HDEL', key, ARGV, set_last + 1, #ARGV)
redis.call('HSET', key, 'version', string.format('%d', version + 1))
return {'ok', version + 1}
`;

// KEYS: old, successor[, successor's index]. ARGV: now, old id, expected version, old
// expiresAt, graceUntil JSON, successorId JSON, successor ttl ms, index score, successor id,
// successor field/value pairs.
const SUPERSEDE = `
local old = KEYS[1]
if not is_hash(old) then return {'missing'} end
local now = tonumber(ARGV[1])
local expires = tonumber(redis.call('HGET', old, 'expiresAt'))
if expires == nil then return {'missing'} end
if expires <= now then
  expire_or_delete(old, 0, ARGV[2])
  return {'missing'}
end
if redis.call('HGET', old, 'state') ~= '"active"' then return {'inactive'} end
local version = tonumber(redis.call('HGET', old, 'version'))
if version == nil or version ~= tonumber(ARGV[3]) then return {'conflict'} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {'exists'} end

local ttl = tonumber(ARGV[7])
if ttl > 0 then
  chunked('HSET', KEYS[2], ARGV, 10, #ARGV)
  redis.call('PEXPIRE', KEYS[2], ttl)
  if KEYS[3] then index_keep(KEYS[3], ARGV[9], tonumber(ARGV[8]), now) end
end
redis.call('HSET', old, 'state', '"superseded"', 'successorId', ARGV[6], 'graceUntil', ARGV[5],
  'expiresAt', ARGV[4])
if expire_or_delete(old, tonumber(ARGV[4]) - now, ARGV[2]) then
  local ix = index_of(old)
  if ix then index_keep(ix, ARGV[2], tonumber(ARGV[4]), now) end
end
return {'ok'}
`;

// KEYS: session. ARGV: now, id, tombstone deadline.
const MARK_REVOKED = `
return revoke_one(KEYS[1], ARGV[2], tonumber(ARGV[1]), ARGV[3])
`;

// KEYS: index. ARGV: now, tombstone deadline, id to spare or '', session key prefix.
const MARK_REVOKED_BY_USER = `
local index = KEYS[1]
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', index, '-inf', now)
local count = 0
for _, id in ipairs(redis.call('ZRANGE', index, 0, -1)) do
  local key = ARGV[4] .. id
  if not is_hash(key) or redis.call('HGET', key, 'ix') ~= index then
    redis.call('ZREM', index, id)
  elseif id ~= ARGV[3] then
    count = count + revoke_one(key, id, now, ARGV[2])
  end
end
return count
`;

// KEYS: index. ARGV: now, session key prefix. Returns {id, {field, value, …}} per live entry;
// entries whose session is gone or belongs to another index are removed on the way.
const LIST_BY_USER = `
local index = KEYS[1]
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', index, '-inf', now)
local out = {}
for _, id in ipairs(redis.call('ZRANGE', index, 0, -1)) do
  local key = ARGV[2] .. id
  if is_hash(key) and redis.call('HGET', key, 'ix') == index then
    out[#out + 1] = {id, redis.call('HGETALL', key)}
  else
    redis.call('ZREM', index, id)
  end
end
return out
`;

// KEYS: session. ARGV: id. Deletes a key of any type (a corrupt one too) and the index entry
// its hash names.
const DELETE = `
local key = KEYS[1]
if is_hash(key) then
  local ix = index_of(key)
  if ix then redis.call('ZREM', ix, ARGV[1]) end
end
redis.call('DEL', key)
return 1
`;

function script(name: string, body: string): RedisScript {
  const source = `-- latchkey ${name}\n${PRELUDE}\n${body.trim()}\n`;
  const sha = encodeHexLowerCase(sha1(new TextEncoder().encode(source)));
  return Object.freeze({ name, source, sha });
}

/** Every script of the store, by operation. */
export const SCRIPTS = Object.freeze({
  create: script("create", CREATE),
  touch: script("touch", TOUCH),
  writeData: script("writeData", WRITE_DATA),
  supersede: script("supersede", SUPERSEDE),
  markRevoked: script("markRevoked", MARK_REVOKED),
  markRevokedByUser: script("markRevokedByUser", MARK_REVOKED_BY_USER),
  listByUser: script("listByUser", LIST_BY_USER),
  delete: script("delete", DELETE),
});
