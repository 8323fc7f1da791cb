/* Souk badge scanner (templates/badges/scanner/page.html, badges/views/scanner.py).
 *
 * Online, each scan is POSTed to /api/v1/check-ins/ and the server answers. When the network
 * is gone (or too slow), the device answers itself from the fair's offline list ("bundle":
 * public key, roster, revocation list), checking the badge code's Ed25519 signature with
 * WebCrypto, and queues the scan; the queue goes to /api/v1/check-ins/upload/ when the
 * connection returns, and the conflicts the server finds are listed for the organizer.
 *
 * Badge code format (same as badges/codec.py): base32 without padding (127 characters) of a
 * 15-byte payload `>BI5sBHH` (version 1, fair id, 5 serial bytes, kind number, valid from and
 * valid until in days since 2020-01-01) followed by its 64-byte Ed25519 signature.
 *
 * Every sentence shown comes from the page's "scanner-strings" block (translated by Django).
 */
(function () {
  'use strict';

  const STRINGS = readJson('scanner-strings');
  const CONFIG = readJson('scanner-config');
  const PREFIX = 'souk.scanner.';
  const COUNTERS_AFTER_SCAN_MS = 2000; // exact counters read this long after the last online scan
  const GREEN = ['ok'];
  const RED = ['revoked', 'wrong_fair', 'unknown', 'invalid'];
  const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const CODE_LENGTH = 127;
  const PAYLOAD_SIZE = 15;
  const SIGNATURE_SIZE = 64;
  const FORMAT_VERSION = 1;
  const KIND_NAMES = { 1: 'exhibitor', 2: 'staff', 3: 'press', 4: 'visitor', 5: 'vip' };
  const EPOCH_MS = Date.UTC(2020, 0, 1);
  const DAY_MS = 86400000;
  const REPEAT_GUARD_MS = 3000; // the same code held in front of the camera is read once
  const NETWORK_BACKOFF_MS = 15000; // after a failed call, answer on the device for a while
  // RFC 8032 test vector 1: a valid Ed25519 public key, to ask the browser whether it can verify.
  const PROBE_KEY = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';

  const $ = (id) => document.getElementById(id);

  function readJson(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  function fill(template, values) {
    return String(template).replace(/%\((\w+)\)s/g, (match, name) => (name in values ? String(values[name]) : match));
  }

  class NetworkError extends Error {}

  // --- Storage (localStorage, one key per thing) -------------------------------------------

  const store = {
    get(name, fallback) {
      try {
        const raw = localStorage.getItem(PREFIX + name);
        return raw === null ? fallback : JSON.parse(raw);
      } catch (error) {
        return fallback;
      }
    },
    set(name, value) {
      try {
        localStorage.setItem(PREFIX + name, JSON.stringify(value));
        return true;
      } catch (error) {
        return false; // full or refused: the value still lives in memory for this visit
      }
    },
    remove(name) {
      try {
        localStorage.removeItem(PREFIX + name);
      } catch (error) {
        /* nothing to do */
      }
    },
  };

  const state = {
    token: store.get('token', null),
    fairs: store.get('fairs', []),
    fairId: store.get('fair', null),
    gate: store.get('gate', ''),
    direction: store.get('direction', 'in'),
    bundle: null,
    bySerial: new Map(),
    revoked: new Set(),
    publicKey: null,
    counters: null,
    countersStale: true,
    moves: {}, // serial → {since: ISO or null, at: ms, pending: bool}: presence known on this device
    secure: false,
    ed25519: false,
    reachable: navigator.onLine,
    lastNetworkFailure: 0,
    busy: false,
    flushing: false,
    answerTimer: null,
    lastRead: { text: '', at: 0 },
    camera: { stream: null, detector: null, canvas: null, running: false },
    audio: null,
    paired: true,
  };

  // --- Small helpers -------------------------------------------------------------------------

  function normalize(text) {
    return String(text || '').replace(/\s+/g, '').replace(/-/g, '').toUpperCase();
  }

  function looksLikeSerial(text) {
    return /^[A-Z2-7]{8}$/.test(text);
  }

  function randomNonce() {
    if (window.crypto && typeof crypto.randomUUID === 'function') {
      return crypto.randomUUID();
    }
    // Outside a secure context randomUUID is missing; getRandomValues exists everywhere.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function locale() {
    return `${CONFIG.language}-u-nu-latn`;
  }

  // The venue's clock is the server's: its UTC offset comes with the page and with every
  // timestamp the server sends (e.g. "+01:00"), so a phone whose time-zone data is out of
  // date (Morocco changed its rules in 2018) still shows the same times as the server.
  let utcOffsetMinutes = store.get('utc_offset', CONFIG.utc_offset_minutes);

  function learnOffset(iso) {
    const match = /([+-])(\d\d):?(\d\d)$/.exec(String(iso || ''));
    if (match) {
      const minutes = (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
      if (minutes !== utcOffsetMinutes) {
        utcOffsetMinutes = minutes;
        store.set('utc_offset', minutes);
      }
    }
  }

  function venueClock(date) {
    return new Date(date.getTime() + utcOffsetMinutes * 60000); // read with getUTC…()
  }

  function fairDay(date) {
    // The calendar day at the venue, as YYYY-MM-DD.
    return venueClock(date).toISOString().slice(0, 10);
  }

  function formatTime(iso) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) {
      return '';
    }
    const clock = venueClock(date);
    const pad = (value) => String(value).padStart(2, '0');
    return `${pad(clock.getUTCHours())}:${pad(clock.getUTCMinutes())}`;
  }

  function formatDay(isoDay) {
    try {
      return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${isoDay}T00:00:00Z`));
    } catch (error) {
      return isoDay;
    }
  }

  function hexToBytes(hex) {
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i += 1) {
      out[i] = parseInt(hex.substr(i * 2, 2), 16);
    }
    return out;
  }

  function base64ToBytes(text) {
    const binary = atob(text);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) {
      out[i] = binary.charCodeAt(i);
    }
    return out;
  }

  function base32Decode(text) {
    // Strict: only the canonical spelling (unused trailing bits zero), as badges/codec.py.
    let value = 0;
    let bits = 0;
    const out = [];
    for (const char of text) {
      const digit = BASE32.indexOf(char);
      if (digit < 0) {
        return null;
      }
      value = ((value << 5) | digit) & 0xfff;
      bits += 5;
      if (bits >= 8) {
        out.push((value >>> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    if (bits >= 5 || (value & ((1 << bits) - 1)) !== 0) {
      return null;
    }
    return Uint8Array.from(out);
  }

  function base32Encode(bytes) {
    let value = 0;
    let bits = 0;
    let out = '';
    for (const byte of bytes) {
      value = ((value << 8) | byte) & 0xffff;
      bits += 8;
      while (bits >= 5) {
        out += BASE32[(value >>> (bits - 5)) & 31];
        bits -= 5;
      }
    }
    if (bits > 0) {
      out += BASE32[(value << (5 - bits)) & 31];
    }
    return out;
  }

  function unpack(raw) {
    const view = new DataView(raw.buffer, raw.byteOffset, PAYLOAD_SIZE);
    const kind = KIND_NAMES[view.getUint8(10)];
    if (view.getUint8(0) !== FORMAT_VERSION || !kind) {
      return null;
    }
    const day = (days) => new Date(EPOCH_MS + days * DAY_MS).toISOString().slice(0, 10);
    return {
      fairId: view.getUint32(1),
      serial: base32Encode(raw.slice(5, 10)),
      kind,
      validFrom: day(view.getUint16(11)),
      validUntil: day(view.getUint16(13)),
    };
  }

  function colourOf(result) {
    if (GREEN.includes(result)) {
      return 'green';
    }
    return RED.includes(result) ? 'red' : 'amber';
  }

  function fairUrl(template) {
    return template.replace('{id}', encodeURIComponent(state.fairId));
  }

  // --- Notices -------------------------------------------------------------------------------

  function fillTexts(root) {
    root.querySelectorAll('[data-text]').forEach((element) => {
      element.textContent = STRINGS[element.dataset.text] || '';
    });
  }

  let noticeTimer = null;
  function notice(text, kind) {
    const element = $('notice');
    element.className = `alert alert-${kind || 'secondary'}`;
    element.textContent = text;
    element.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { element.hidden = true; }, 8000);
  }

  function showPairing(reasonKey) {
    state.paired = false;
    $('notice-pair-reason').textContent = reasonKey ? STRINGS[reasonKey] : '';
    $('notice-pair-help').textContent = fill(STRINGS.pair_help, { url: CONFIG.device_page });
    $('notice-pair').hidden = false;
  }

  function hidePairing() {
    state.paired = true;
    $('notice-pair').hidden = true;
  }

  function setReachable(reachable) {
    state.reachable = reachable;
    if (!reachable) {
      state.lastNetworkFailure = Date.now();
    }
    const online = reachable && navigator.onLine;
    const pill = $('net-status');
    pill.dataset.online = online ? '1' : '0';
    pill.textContent = online ? STRINGS.online : STRINGS.offline;
    renderCounters();
  }

  function shouldTryNetwork() {
    if (!navigator.onLine) {
      return false;
    }
    return state.reachable || Date.now() - state.lastNetworkFailure > NETWORK_BACKOFF_MS;
  }

  // --- API -----------------------------------------------------------------------------------

  function csrfToken() {
    const match = document.cookie.match(new RegExp(`(?:^|; )${CONFIG.csrf_cookie}=([^;]*)`));
    return match ? decodeURIComponent(match[1]) : '';
  }

  async function api(method, url, body, timeoutMs) {
    const headers = { Accept: 'application/json', 'Accept-Language': CONFIG.language };
    const options = { method, headers, cache: 'no-store' };
    if (state.token) {
      headers.Authorization = `Device ${state.token}`;
      options.credentials = 'omit'; // the token alone speaks for the device
    } else {
      options.credentials = 'same-origin';
      if (method !== 'GET') {
        headers[CONFIG.csrf_header] = csrfToken();
      }
    }
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    const controller = new AbortController();
    options.signal = controller.signal;
    const timer = setTimeout(() => controller.abort(), timeoutMs || 15000);
    let response;
    try {
      response = await fetch(url, options);
    } catch (error) {
      setReachable(false);
      throw new NetworkError(String(error));
    } finally {
      clearTimeout(timer);
    }
    if (response.status >= 500) {
      // A server that cannot answer is treated like no network: scanning goes on locally.
      setReachable(false);
      throw new NetworkError(`HTTP ${response.status}`);
    }
    setReachable(true);
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    return { status: response.status, ok: response.ok, data };
  }

  function refusedAccess(result, forbiddenMeansUnpaired = true) {
    // 401: no valid device token or session. 403 on the fair list: not a scanner. A 403
    // elsewhere (e.g. a device kept to another fair) comes with the server's own sentence.
    if (result.status === 401 || (result.status === 403 && forbiddenMeansUnpaired)) {
      showPairing(state.token ? 'token_refused' : null);
      return true;
    }
    if (result.status === 403) {
      notice(fill(STRINGS.server_error, { detail: detailOf(result) }), 'danger');
      return true;
    }
    return false;
  }

  function detailOf(result) {
    return (result.data && (result.data.detail || result.data.code)) || `HTTP ${result.status}`;
  }

  // --- Fairs and the offline list ------------------------------------------------------------

  function fairLabel(fair) {
    return CONFIG.language === 'ar' && fair.name_ar ? fair.name_ar : fair.name;
  }

  function renderFairs() {
    const select = $('fair');
    select.textContent = '';
    const placeholder = new Option(state.fairs.length ? STRINGS.choose_fair : STRINGS.no_fairs, '');
    placeholder.disabled = true;
    select.add(placeholder);
    for (const fair of state.fairs) {
      select.add(new Option(fairLabel(fair), String(fair.id)));
    }
    const known = state.fairs.some((fair) => String(fair.id) === String(state.fairId));
    if (!known && state.fairs.length === 1) {
      chooseFair(state.fairs[0].id);
      return;
    }
    if (!known && state.fairs.length) {
      state.fairId = null; // a fair this device may no longer scan
      store.remove('fair');
    }
    select.value = known ? String(state.fairId) : '';
  }

  async function loadFairs() {
    let result;
    try {
      result = await api('GET', CONFIG.api.fairs, undefined, 10000);
    } catch (error) {
      renderFairs(); // offline: the fairs this device knew
      return;
    }
    if (refusedAccess(result)) {
      state.fairs = [];
      store.set('fairs', []);
      renderFairs();
      return;
    }
    if (!result.ok || !result.data) {
      notice(fill(STRINGS.server_error, { detail: detailOf(result) }), 'danger');
      renderFairs();
      return;
    }
    hidePairing();
    $('unpair').hidden = !state.token;
    state.fairs = Array.isArray(result.data) ? result.data : result.data.results || [];
    store.set('fairs', state.fairs);
    renderFairs();
  }

  async function chooseFair(id) {
    const changed = String(id) !== String(state.fairId);
    state.fairId = id;
    store.set('fair', id);
    $('fair').value = String(id);
    if (changed) {
      state.bundle = null;
      state.bySerial = new Map();
      state.revoked = new Set();
      state.publicKey = null;
      state.counters = null;
    }
    const stored = store.get('bundle', null);
    if (stored && String(stored.fair.id) === String(id)) {
      await useBundle(stored);
    }
    loadMoves();
    const counters = store.get('counters', null);
    if (!state.counters && counters && String(counters.fair) === String(id)) {
      setCounters(counters, true);
    }
    renderBundleStatus();
    renderCounters();
    if (shouldTryNetwork()) {
      refreshBundle();
      refreshCounters();
    }
  }

  async function refreshBundle() {
    if (!state.fairId || !state.paired) {
      return;
    }
    const fairId = state.fairId;
    let result;
    try {
      result = await api('GET', fairUrl(CONFIG.api.bundle), undefined, 60000);
    } catch (error) {
      renderBundleStatus();
      return;
    }
    if (refusedAccess(result, false)) {
      return;
    }
    if (!result.ok || !result.data || !result.data.fair) {
      $('bundle-status').textContent = STRINGS.bundle_failed;
      return;
    }
    if (String(fairId) !== String(state.fairId)) {
      return; // the organizer picked another fair meanwhile
    }
    const bundle = result.data;
    bundle.received_at = Date.now();
    learnOffset(bundle.generated_at);
    store.set('bundle', bundle);
    await useBundle(bundle);
    if (bundle.counters) {
      setCounters(bundle.counters, false);
    }
    renderBundleStatus();
    cachePhotos(bundle);
  }

  async function useBundle(bundle) {
    state.bundle = bundle;
    state.bySerial = new Map((bundle.badges || []).map((badge) => [badge.serial, badge]));
    state.revoked = new Set(bundle.revoked || []);
    state.publicKey = null;
    if (state.ed25519 && bundle.public_key) {
      try {
        state.publicKey = await crypto.subtle.importKey(
          'raw', base64ToBytes(bundle.public_key), { name: 'Ed25519' }, false, ['verify'],
        );
      } catch (error) {
        state.publicKey = null;
      }
    }
  }

  function renderBundleStatus() {
    const element = $('bundle-status');
    if (!state.fairId) {
      element.textContent = '';
    } else if (!state.bundle) {
      element.textContent = STRINGS.bundle_missing;
    } else {
      element.textContent = fill(STRINGS.bundle_age, {
        count: state.bySerial.size,
        time: formatTime(new Date(state.bundle.received_at || Date.parse(state.bundle.generated_at)).toISOString()),
      });
    }
  }

  async function cachePhotos(bundle) {
    // Photos go into the service worker's photo cache, so answers show faces offline too.
    if (!state.secure || !('caches' in window)) {
      return;
    }
    try {
      const urls = [...new Set((bundle.badges || []).map((badge) => badge.photo).filter(Boolean))]
        .map((url) => new URL(url, window.location.href).href);
      const cache = await caches.open(CONFIG.photo_cache);
      const have = new Set((await cache.keys()).map((request) => request.url));
      const wanted = new Set(urls);
      for (const request of await cache.keys()) {
        if (!wanted.has(request.url)) {
          await cache.delete(request);
        }
      }
      const missing = urls.filter((url) => !have.has(url));
      const workers = Array.from({ length: 4 }, async () => {
        while (missing.length) {
          const url = missing.shift();
          const response = await fetch(url, { credentials: 'same-origin' });
          if (response.ok) {
            await cache.put(url, response);
          }
        }
      });
      await Promise.all(workers);
    } catch (error) {
      /* offline half-way: the next refresh finishes */
    }
  }

  // --- Presence known on this device -------------------------------------------------------

  function loadMoves() {
    const saved = store.get('moves', null);
    const day = fairDay(new Date());
    state.moves = {};
    if (saved && String(saved.fair) === String(state.fairId)) {
      for (const [serial, move] of Object.entries(saved.moves || {})) {
        if (fairDay(new Date(move.at)) === day) {
          state.moves[serial] = move; // yesterday's moves say nothing about today
        }
      }
    }
  }

  function saveMoves() {
    store.set('moves', { fair: state.fairId, moves: state.moves });
  }

  function recordMove(serial, since, pending) {
    if (!serial) {
      return;
    }
    state.moves[serial] = { since, at: Date.now(), pending: Boolean(pending) };
    saveMoves();
  }

  function insideSince(serial) {
    const move = state.moves[serial];
    const entry = state.bySerial.get(serial);
    const bundleTime = state.bundle ? state.bundle.received_at || Date.parse(state.bundle.generated_at) : 0;
    if (move && (move.pending || move.at >= bundleTime || !entry)) {
      return move.since;
    }
    return entry ? entry.inside_since : null;
  }

  function isInsideToday(serial) {
    const since = insideSince(serial);
    return Boolean(since) && fairDay(new Date(since)) === fairDay(new Date());
  }

  // --- Checking a badge on the device --------------------------------------------------------

  async function judgeLocally(text, direction) {
    const code = normalize(text);
    if (!state.bundle) {
      return { result: '', reasonKey: 'no_bundle' };
    }
    let serial;
    let payload = null;
    if (looksLikeSerial(code)) {
      serial = code;
    } else {
      if (!state.publicKey) {
        return { result: '', reasonKey: 'no_crypto' };
      }
      const raw = code.length === CODE_LENGTH ? base32Decode(code) : null;
      if (!raw || raw.length !== PAYLOAD_SIZE + SIGNATURE_SIZE) {
        return { result: 'invalid' };
      }
      payload = unpack(raw.subarray(0, PAYLOAD_SIZE));
      if (!payload) {
        return { result: 'invalid' };
      }
      if (String(payload.fairId) !== String(state.bundle.fair.id)) {
        return { result: 'wrong_fair' };
      }
      let genuine = false;
      try {
        genuine = await crypto.subtle.verify(
          { name: 'Ed25519' }, state.publicKey, raw.slice(PAYLOAD_SIZE), raw.slice(0, PAYLOAD_SIZE),
        );
      } catch (error) {
        genuine = false;
      }
      if (!genuine) {
        return { result: 'invalid' };
      }
      serial = payload.serial;
    }
    const entry = state.bySerial.get(serial) || null;
    // A signed badge issued after the last download is not on the roster but is genuine.
    const badge = entry || (payload ? { serial, kind: payload.kind } : null);
    if (!badge) {
      return { result: 'unknown' };
    }
    if (state.revoked.has(serial) || (entry && entry.revoked)) {
      return { result: 'revoked', badge };
    }
    const first = payload ? payload.validFrom : entry.valid_from;
    const last = payload ? payload.validUntil : entry.valid_until;
    const today = fairDay(new Date());
    if (today < first || today > last) {
      return { result: 'not_valid_now', badge, values: { first: formatDay(first), last: formatDay(last) } };
    }
    if (direction === 'in' && isInsideToday(serial)) {
      return { result: 'already_inside', badge, since: insideSince(serial) };
    }
    return { result: 'ok', badge };
  }

  function localReason(local, direction) {
    if (!local.result) {
      return STRINGS.reason[local.reasonKey];
    }
    if (local.result === 'ok') {
      return direction === 'out' ? STRINGS.reason.ok_out : STRINGS.reason.ok;
    }
    if (local.result === 'already_inside') {
      const time = local.since ? formatTime(local.since) : '';
      return time ? fill(STRINGS.reason.already_inside, { time }) : STRINGS.reason.already_inside_unknown_time;
    }
    return fill(STRINGS.reason[local.result], local.values || {});
  }

  // --- Scanning ------------------------------------------------------------------------------

  async function scan(text) {
    const code = normalize(text);
    if (!code || state.busy) {
      return;
    }
    if (!state.fairId) {
      notice(STRINGS.need_fair, 'warning');
      $('fair').focus();
      return;
    }
    if (!state.gate) {
      notice(STRINGS.need_gate, 'warning');
      $('gate').focus();
      return;
    }
    state.busy = true;
    const scanned = {
      fair: state.fairId,
      code,
      gate: state.gate,
      direction: state.direction,
      nonce: randomNonce(),
      device_time: new Date().toISOString(),
    };
    let answer = null;
    try {
      if (shouldTryNetwork()) {
        answer = await checkOnline(scanned);
      }
    } catch (error) {
      answer = null; // NetworkError: answer on the device below
    }
    if (answer === false) {
      state.busy = false; // refused as a request (not as a badge): a notice says why
      return;
    }
    if (!answer) {
      answer = await checkOffline(scanned);
    }
    showAnswer(answer);
  }

  async function checkOnline(scanned) {
    const { fair, code, gate, direction, nonce, device_time: deviceTime } = scanned;
    const result = await api(
      'POST', CONFIG.api.check_in, { fair, code, gate, direction, nonce, device_time: deviceTime }, CONFIG.online_timeout_ms,
    );
    if (refusedAccess(result, false)) {
      return false;
    }
    if (!result.ok || !result.data || !result.data.result) {
      notice(fill(STRINGS.server_error, { detail: detailOf(result) }), 'danger');
      return false;
    }
    const data = result.data;
    learnOffset(data.scanned_at);
    if (data.badge) {
      const serial = data.badge.serial;
      if (data.result === 'ok') {
        // The answer carries no counters (the server keeps a scan short): move them here at
        // once, then read the exact ones a moment after the gate goes quiet.
        const wasInside = direction === 'out' && isInsideToday(serial);
        const first = data.badge.first_entry_at;
        const arrivedBefore = Boolean(first) && Date.parse(first) < Date.parse(data.scanned_at);
        adjustCounters(direction, wasInside, arrivedBefore, false);
      }
      recordMove(serial, data.badge.inside_since || null, false);
    }
    refreshCountersSoon();
    return { result: data.result, message: data.message, badge: data.badge, offline: false, direction };
  }

  async function checkOffline(scanned) {
    const local = await judgeLocally(scanned.code, scanned.direction);
    enqueue({ ...scanned, local_result: local.result });
    const serial = local.badge && local.badge.serial;
    if (local.result === 'ok') {
      const wasInside = isInsideToday(serial);
      const since = (state.bySerial.get(serial) || {}).inside_since;
      const arrivedBefore = Boolean(state.moves[serial]) || (Boolean(since) && fairDay(new Date(since)) === fairDay(new Date()));
      recordMove(serial, scanned.direction === 'in' ? scanned.device_time : null, true);
      adjustCounters(scanned.direction, wasInside, arrivedBefore);
    }
    return {
      result: local.result || 'unchecked',
      message: localReason(local, scanned.direction),
      badge: local.badge || null,
      offline: true,
      direction: scanned.direction,
    };
  }

  // --- The answer on screen -------------------------------------------------------------------

  function showAnswer(answer) {
    const element = $('answer');
    const colour = colourOf(answer.result);
    const badge = answer.badge || {};
    element.dataset.result = answer.result;
    element.dataset.colour = colour;
    element.dataset.offline = answer.offline ? '1' : '0';
    const titleKey = answer.result === 'ok' && answer.direction === 'out' ? 'ok_out' : answer.result;
    $('answer-title').textContent = STRINGS.result_title[titleKey] || answer.result;
    const arabicFirst = CONFIG.language === 'ar' && badge.name_ar;
    $('answer-name').textContent = (arabicFirst ? badge.name_ar : badge.name) || '';
    $('answer-name-other').textContent = (arabicFirst ? badge.name : badge.name_ar) || '';
    const photo = $('answer-photo');
    photo.hidden = !badge.photo;
    if (badge.photo) {
      photo.onerror = () => { photo.hidden = true; };
      photo.src = badge.photo;
    } else {
      photo.removeAttribute('src');
    }
    const kind = $('answer-kind');
    kind.hidden = !badge.kind;
    kind.textContent = badge.kind ? STRINGS.kind[badge.kind] || badge.kind : '';
    kind.style.backgroundColor = CONFIG.kind_colours[badge.kind] || '';
    const booth = $('answer-booth');
    booth.hidden = !badge.booth;
    booth.textContent = badge.booth ? fill(STRINGS.booth, { code: badge.booth }) : '';
    const org = $('answer-org');
    const orgText = [badge.craft, badge.organisation, badge.role_label].filter(Boolean).join(' · ');
    org.hidden = !orgText;
    org.textContent = orgText;
    const reason = answer.message && answer.message !== $('answer-title').textContent ? answer.message : '';
    $('answer-reason').textContent = reason;
    $('answer-offline').hidden = !answer.offline;
    element.hidden = false;
    element.focus({ preventScroll: true });
    signal(colour);
    clearTimeout(state.answerTimer);
    state.answerTimer = setTimeout(hideAnswer, colour === 'green' ? CONFIG.ok_shown_ms : CONFIG.refused_shown_ms);
  }

  function hideAnswer() {
    clearTimeout(state.answerTimer);
    const element = $('answer');
    if (element.hidden) {
      return;
    }
    element.hidden = true;
    state.busy = false;
    state.lastRead.at = Date.now();
    const input = $('manual-code');
    if (document.activeElement === element || document.activeElement === document.body) {
      if (state.typed) {
        input.focus({ preventScroll: true });
      }
    }
  }

  // --- Sound and vibration -------------------------------------------------------------------

  function unlockAudio() {
    const AudioContextClass = window.AudioContext || window.webkitAudioContext;
    if (!AudioContextClass) {
      return;
    }
    if (!state.audio) {
      try {
        state.audio = new AudioContextClass();
      } catch (error) {
        return;
      }
    }
    if (state.audio.state === 'suspended') {
      state.audio.resume().catch(() => {});
    }
  }

  function beep(frequency, delay, duration) {
    const audio = state.audio;
    if (!audio || audio.state !== 'running') {
      return;
    }
    const start = audio.currentTime + delay;
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = 'square';
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.3, start + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + duration);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start);
    oscillator.stop(start + duration + 0.05);
  }

  function signal(colour) {
    if (colour === 'green') {
      beep(1320, 0, 0.15);
    } else {
      beep(330, 0, 0.2);
      beep(330, 0.3, 0.2);
    }
    if (navigator.vibrate) {
      navigator.vibrate(colour === 'green' ? 80 : [200, 100, 200]);
    }
  }

  // --- Counters --------------------------------------------------------------------------------

  function setCounters(counters, stale) {
    state.counters = { ...counters, fair: state.fairId };
    state.countersStale = stale;
    store.set('counters', state.counters);
    renderCounters();
  }

  function adjustCounters(direction, wasInside, arrivedBefore, stale = true) {
    if (!state.counters) {
      return;
    }
    if (direction === 'in') {
      state.counters.inside_now += wasInside ? 0 : 1;
      state.counters.arrived_today += arrivedBefore ? 0 : 1;
    } else if (wasInside) {
      state.counters.inside_now = Math.max(0, state.counters.inside_now - 1);
    }
    state.countersStale = state.countersStale || stale;
    store.set('counters', state.counters);
    renderCounters();
  }

  let countersTimer = null;

  function refreshCountersSoon() {
    clearTimeout(countersTimer);
    countersTimer = setTimeout(() => shouldTryNetwork() && refreshCounters(), COUNTERS_AFTER_SCAN_MS);
  }

  function renderCounters() {
    const counters = state.counters;
    const show = (id, value) => { $(id).textContent = value === undefined || value === null ? '–' : String(value); };
    show('inside-now', counters && counters.inside_now);
    show('arrived-today', counters && counters.arrived_today);
    show('expected', counters && counters.expected);
    const online = state.reachable && navigator.onLine;
    $('counters-stale').hidden = !(counters && (state.countersStale || !online));
  }

  async function refreshCounters() {
    if (!state.fairId || !state.paired) {
      return;
    }
    try {
      const result = await api('GET', fairUrl(CONFIG.api.counters), undefined, 10000);
      if (result.ok && result.data) {
        setCounters(result.data, false);
      }
    } catch (error) {
      renderCounters();
    }
  }

  // --- The queue of scans made offline -------------------------------------------------------

  function enqueue(scanned) {
    const queue = store.get('queue', []);
    queue.push(scanned);
    if (!store.set('queue', queue)) {
      state.memoryQueue = queue; // storage full: keep it for this visit at least
    }
    renderQueue();
  }

  function queued() {
    return state.memoryQueue || store.get('queue', []);
  }

  function renderQueue(sending) {
    const count = queued().length;
    const element = $('queue');
    element.dataset.count = String(count);
    element.dataset.sending = sending ? '1' : '0';
    element.hidden = count === 0;
    element.textContent = sending ? STRINGS.queue_sending : fill(STRINGS.queue, { count });
  }

  function removeFromQueue(nonces) {
    const rest = queued().filter((scanned) => !nonces.has(scanned.nonce));
    if (state.memoryQueue) {
      state.memoryQueue = rest;
    }
    store.set('queue', rest);
  }

  async function flushQueue() {
    if (state.flushing || !navigator.onLine || !state.paired) {
      return;
    }
    const waiting = queued();
    if (!waiting.length) {
      return;
    }
    state.flushing = true;
    renderQueue(true);
    try {
      const fairs = [...new Set(waiting.map((scanned) => String(scanned.fair)))];
      for (const fair of fairs) {
        const scans = waiting.filter((scanned) => String(scanned.fair) === fair);
        for (let start = 0; start < scans.length; start += CONFIG.upload_batch) {
          const batch = scans.slice(start, start + CONFIG.upload_batch);
          const body = {
            fair: Number(fair),
            scans: batch.map((s) => ({
              code: s.code, gate: s.gate, direction: s.direction, nonce: s.nonce,
              device_time: s.device_time, local_result: s.local_result || '',
            })),
          };
          const result = await api('POST', CONFIG.api.upload, body, 60000);
          if (refusedAccess(result, false)) {
            return;
          }
          if (!result.ok || !result.data || !Array.isArray(result.data.results)) {
            notice(fill(STRINGS.queue_refused, { detail: detailOf(result) }), 'danger');
            return;
          }
          acknowledge(batch, result.data.results, fair);
        }
      }
      refreshCounters();
    } catch (error) {
      /* NetworkError: still offline, the next retry sends them */
    } finally {
      state.flushing = false;
      renderQueue(false);
    }
  }

  function acknowledge(batch, results, fair) {
    const byNonce = new Map(batch.map((scanned) => [scanned.nonce, scanned]));
    const done = new Set();
    const conflicts = store.get('conflicts', []);
    for (const answer of results) {
      const scanned = byNonce.get(answer.nonce);
      if (!scanned) {
        continue;
      }
      done.add(answer.nonce);
      if (answer.badge && String(fair) === String(state.fairId)) {
        recordMove(answer.badge.serial, answer.badge.inside_since || null, false);
      }
      if (answer.conflict) {
        const badge = answer.badge || {};
        conflicts.push({
          nonce: answer.nonce,
          name: (CONFIG.language === 'ar' && badge.name_ar) || badge.name || badge.serial || scanned.code.slice(0, 8),
          gate: scanned.gate,
          time: scanned.device_time,
          local: scanned.local_result,
          server: answer.result,
        });
      }
    }
    removeFromQueue(done);
    store.set('conflicts', conflicts);
    renderConflicts();
  }

  function renderConflicts() {
    const conflicts = store.get('conflicts', []);
    const box = $('conflicts');
    box.hidden = conflicts.length === 0;
    box.dataset.count = String(conflicts.length);
    $('conflicts-title').textContent = fill(STRINGS.conflicts_title, { count: conflicts.length });
    const list = $('conflicts-list');
    list.textContent = '';
    for (const conflict of conflicts) {
      const item = document.createElement('li');
      item.textContent = fill(STRINGS.conflict_line, {
        name: conflict.name,
        gate: conflict.gate,
        time: formatTime(conflict.time),
        local: STRINGS.result_title[conflict.local] || conflict.local || STRINGS.result_title.unchecked,
        server: STRINGS.result_title[conflict.server] || conflict.server,
      });
      list.appendChild(item);
    }
  }

  // --- Camera ----------------------------------------------------------------------------------

  async function makeDetector() {
    if (!('BarcodeDetector' in window)) {
      return null;
    }
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      return formats.includes('qr_code') ? new window.BarcodeDetector({ formats: ['qr_code'] }) : null;
    } catch (error) {
      return null;
    }
  }

  function loadJsQR() {
    return new Promise((resolve, reject) => {
      if (window.jsQR) {
        resolve();
        return;
      }
      const script = document.createElement('script');
      script.src = CONFIG.jsqr;
      script.onload = () => resolve();
      script.onerror = () => reject(new Error('jsQR'));
      document.head.appendChild(script);
    });
  }

  async function startCamera() {
    const camera = state.camera;
    if (camera.running) {
      return;
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      notice(STRINGS.camera_unavailable, 'warning');
      return;
    }
    try {
      camera.stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
    } catch (error) {
      notice(error && error.name === 'NotAllowedError' ? STRINGS.camera_denied : STRINGS.camera_unavailable, 'warning');
      return;
    }
    const video = $('video');
    video.srcObject = camera.stream;
    $('camera-frame').hidden = false;
    try {
      await video.play();
    } catch (error) {
      /* autoplay of a muted inline video is allowed; keep going */
    }
    camera.detector = await makeDetector();
    if (!camera.detector) {
      try {
        await loadJsQR();
      } catch (error) {
        notice(STRINGS.camera_unavailable, 'warning');
        stopCamera();
        return;
      }
    }
    camera.running = true;
    store.set('camera', true);
    $('camera-toggle').textContent = STRINGS.camera_stop;
    readFrames();
  }

  function stopCamera(remember) {
    const camera = state.camera;
    camera.running = false;
    if (camera.stream) {
      camera.stream.getTracks().forEach((track) => track.stop());
      camera.stream = null;
    }
    $('camera-frame').hidden = true;
    $('camera-toggle').textContent = STRINGS.camera_start;
    if (remember) {
      store.set('camera', false);
    }
  }

  async function readFrame() {
    const video = $('video');
    const camera = state.camera;
    if (camera.detector) {
      const codes = await camera.detector.detect(video);
      return codes.length ? codes[0].rawValue : null;
    }
    const scale = Math.min(1, 640 / video.videoWidth);
    const width = Math.round(video.videoWidth * scale);
    const height = Math.round(video.videoHeight * scale);
    if (!camera.canvas) {
      camera.canvas = document.createElement('canvas');
    }
    camera.canvas.width = width;
    camera.canvas.height = height;
    const context = camera.canvas.getContext('2d', { willReadFrequently: true });
    context.drawImage(video, 0, 0, width, height);
    const image = context.getImageData(0, 0, width, height);
    const found = window.jsQR(image.data, width, height, { inversionAttempts: 'dontInvert' });
    return found ? found.data : null;
  }

  async function readFrames() {
    const camera = state.camera;
    while (camera.running) {
      const video = $('video');
      if (!state.busy && video.readyState >= 2 && video.videoWidth) {
        let text = null;
        try {
          text = await readFrame();
        } catch (error) {
          text = null;
        }
        const repeated = text && text === state.lastRead.text && Date.now() - state.lastRead.at < REPEAT_GUARD_MS;
        if (text && !repeated && !state.busy) {
          state.lastRead = { text, at: Date.now() };
          state.typed = false;
          await scan(text);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }

  // --- Start ---------------------------------------------------------------------------------

  function takeTokenFromUrl() {
    const match = /(?:^#|[#&])device=([^&]+)/.exec(window.location.hash);
    if (!match) {
      return;
    }
    state.token = decodeURIComponent(match[1]);
    store.set('token', state.token);
    // The token must not stay in the address bar, the history or a screenshot.
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
  }

  async function checkOfflineSupport() {
    state.secure = Boolean(window.isSecureContext && window.crypto && crypto.subtle && 'serviceWorker' in navigator);
    if (!state.secure) {
      $('notice-insecure').hidden = false;
      return;
    }
    try {
      await crypto.subtle.importKey('raw', hexToBytes(PROBE_KEY), { name: 'Ed25519' }, false, ['verify']);
      state.ed25519 = true;
    } catch (error) {
      state.ed25519 = false;
      $('notice-crypto').hidden = false;
    }
    try {
      await navigator.serviceWorker.register(CONFIG.service_worker, { scope: CONFIG.scope });
    } catch (error) {
      /* the page still scans online */
    }
  }

  function bindControls() {
    $('fair').addEventListener('change', (event) => {
      if (event.target.value) {
        chooseFair(event.target.value);
      }
    });
    const gate = $('gate');
    gate.value = state.gate;
    gate.addEventListener('input', () => {
      state.gate = gate.value.trim();
      store.set('gate', state.gate);
    });
    for (const input of document.querySelectorAll('input[name="direction"]')) {
      input.checked = input.value === state.direction;
      input.addEventListener('change', () => {
        if (input.checked) {
          state.direction = input.value;
          store.set('direction', state.direction);
        }
      });
    }
    $('manual').addEventListener('submit', (event) => {
      event.preventDefault();
      unlockAudio();
      const input = $('manual-code');
      const text = input.value;
      input.value = '';
      state.typed = true;
      scan(text);
    });
    $('answer').addEventListener('click', hideAnswer);
    document.addEventListener('keydown', (event) => {
      if (!$('answer').hidden && (event.key === 'Escape' || event.key === 'Enter' || event.key === ' ')) {
        event.preventDefault();
        hideAnswer();
      }
    });
    $('camera-toggle').addEventListener('click', () => {
      unlockAudio();
      if (state.camera.running) {
        stopCamera(true);
      } else {
        startCamera();
      }
    });
    document.addEventListener('pointerdown', unlockAudio, { passive: true });
    $('conflicts-clear').addEventListener('click', () => {
      store.set('conflicts', []);
      renderConflicts();
    });
    $('unpair').addEventListener('click', () => {
      // The fair's roster and photos go too: a phone handed back holds no one's data. The
      // queue stays, to be sent once the phone is paired again.
      for (const name of ['token', 'bundle', 'moves', 'fairs', 'fair', 'counters', 'conflicts']) {
        store.remove(name);
      }
      if ('caches' in window) {
        caches.delete(CONFIG.photo_cache).catch(() => {});
      }
      Object.assign(state, {
        token: null, fairs: [], fairId: null, bundle: null, bySerial: new Map(), revoked: new Set(),
        publicKey: null, counters: null, moves: {},
      });
      renderBundleStatus();
      renderCounters();
      renderConflicts();
      $('unpair').hidden = true;
      notice(STRINGS.unpaired, 'info');
      loadFairs();
    });
    document.addEventListener('visibilitychange', () => {
      if (document.hidden && state.camera.running) {
        stopCamera(false);
      } else if (!document.hidden && store.get('camera', false)) {
        startCamera();
      }
    });
    window.addEventListener('online', () => {
      state.lastNetworkFailure = 0;
      setReachable(true);
      flushQueue();
      refreshBundle();
      refreshCounters();
    });
    window.addEventListener('offline', () => setReachable(false));
  }

  async function start() {
    takeTokenFromUrl();
    fillTexts(document);
    bindControls();
    $('camera-toggle').textContent = STRINGS.camera_start;
    // No camera API (plain http, old browser): typing the number is the way, say nothing more.
    $('camera').hidden = !(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
    $('unpair').hidden = !state.token;
    setReachable(navigator.onLine);
    renderQueue(false);
    renderConflicts();
    await checkOfflineSupport();
    renderFairs();
    if (state.fairId) {
      await chooseFair(state.fairId);
    }
    await loadFairs();
    flushQueue();
    setInterval(() => {
      if (shouldTryNetwork()) {
        flushQueue();
      }
    }, CONFIG.queue_retry_ms);
    setInterval(() => shouldTryNetwork() && refreshBundle(), CONFIG.bundle_refresh_ms);
    setInterval(() => shouldTryNetwork() && refreshCounters(), CONFIG.counters_refresh_ms);
    if (store.get('camera', false) && state.secure) {
      startCamera();
    }
    document.body.dataset.ready = '1';
  }

  start();
}());
