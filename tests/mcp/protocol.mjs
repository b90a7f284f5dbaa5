// protocol.mjs — the checks of test_mcp_protocol.sh: raw JSON-RPC lines to `magi mcp`
// (no SDK in between), and what comes back. Environment: MAGI.
// Prints "N passed, N failed" and exits 1 when a check failed.
import { spawn } from 'node:child_process';

let pass = 0, fail = 0;
function check(desc, ok) {
	if (ok) pass++;
	else { fail++; console.error('FAIL: ' + desc); }
}

// A server on pipes; every stdout line must be one JSON-RPC 2.0 message.
class Raw {
	constructor(args = ['mcp', '--env', 'none']) {
		this.p = spawn(process.env.MAGI, args, { stdio: ['pipe', 'pipe', 'inherit'] });
		this.buf = '';
		this.queue = [];
		this.waiters = [];
		this.bad = [];
		this.exit = new Promise((r) => this.p.on('exit', (code) => r(code)));
		this.p.stdout.on('data', (d) => {
			this.buf += d.toString('utf8');
			let nl;
			while ((nl = this.buf.indexOf('\n')) >= 0) {
				const line = this.buf.slice(0, nl);
				this.buf = this.buf.slice(nl + 1);
				let msg = null;
				try { msg = JSON.parse(line); } catch { this.bad.push(line); continue; }
				if (msg?.jsonrpc !== '2.0') this.bad.push(line);
				const w = this.waiters.shift();
				if (w) w(msg); else this.queue.push(msg);
			}
		});
	}
	send(text) { this.p.stdin.write(text); }
	line(obj) { this.send((typeof obj === 'string' ? obj : JSON.stringify(obj)) + '\n'); }
	next(ms = 20000) {
		if (this.queue.length) return Promise.resolve(this.queue.shift());
		return new Promise((r) => {
			const t = setTimeout(() => { this.waiters = this.waiters.filter((w) => w !== done); r(null); }, ms);
			const done = (m) => { clearTimeout(t); r(m); };
			this.waiters.push(done);
		});
	}
	async ask(obj) { this.line(obj); return this.next(); }
	async close() { this.p.stdin.end(); return this.exit; }
}
const init = (id, version, caps = {}) => ({ jsonrpc: '2.0', id, method: 'initialize',
	params: { protocolVersion: version, capabilities: caps, clientInfo: { name: 'raw', version: '1' } } });
const err = (m) => m?.error?.code;

async function main() {
	let s = new Raw();
	let m = await s.ask({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
	check(`tools/list before initialize is an invalid request: ${JSON.stringify(m)}`, err(m) === -32600 && m.id === 1);
	m = await s.ask({ jsonrpc: '2.0', id: 'p0', method: 'ping' });
	check('ping before initialize answers {}', m?.id === 'p0' && JSON.stringify(m.result) === '{}');
	m = await s.ask('{"jsonrpc":"2.0","id":2,"method":"ping"');
	check(`truncated JSON is a parse error with id null: ${JSON.stringify(m)}`, err(m) === -32700 && m.id === null);
	m = await s.ask('hello there');
	check('plain text is a parse error', err(m) === -32700);
	s.send(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d, 0x0a]));
	m = await s.next();
	check('invalid UTF-8 is a parse error', err(m) === -32700);
	m = await s.ask({ jsonrpc: '2.0', id: 7 });
	check(`neither request nor response is an invalid request: ${JSON.stringify(m)}`, err(m) === -32600 && m.id === 7);
	m = await s.ask({ jsonrpc: '1.0', id: 8, method: 'ping' });
	check('jsonrpc 1.0 is an invalid request', err(m) === -32600 && m.id === 8);
	m = await s.ask({ jsonrpc: '2.0', id: { a: 1 }, method: 'ping' });
	check('an object id is an invalid request with id null', err(m) === -32600 && m.id === null);
	m = await s.ask({ jsonrpc: '2.0', id: 9, method: 42 });
	check('a numeric method is an invalid request', err(m) === -32600);
	m = await s.ask('[{"jsonrpc":"2.0","id":10,"method":"ping"}]');
	check('a batch is an invalid request', err(m) === -32600);
	m = await s.ask('42');
	check('a bare number is an invalid request', err(m) === -32600);

	m = await s.ask(init(11, '2025-03-26'));
	check(`2025-03-26 is answered in kind: ${JSON.stringify(m?.result?.protocolVersion)}`, m?.result?.protocolVersion === '2025-03-26');
	check('the server offers tools', m?.result?.capabilities?.tools !== undefined && m?.result?.serverInfo?.name === 'magi');
	s.line({ jsonrpc: '2.0', method: 'notifications/initialized' });
	s.line({ jsonrpc: '2.0', method: 'notifications/whatever', params: { x: 1 } });
	s.line({ jsonrpc: '2.0', id: 'nobody-asked', result: {} });
	m = await s.ask({ jsonrpc: '2.0', id: 12, method: 'ping' });
	check('notifications and a stray response get no answer; the next answer is the ping', m?.id === 12 && m.result);
	m = await s.ask(init(13, '2025-03-26'));
	check('a second initialize is refused', err(m) === -32600);
	m = await s.ask({ jsonrpc: '2.0', id: 14, method: 'resources/list' });
	check(`an unknown method is -32601: ${JSON.stringify(m)}`, err(m) === -32601 && m.id === 14);
	m = await s.ask({ jsonrpc: '2.0', id: 15, method: 'tools/list' });
	const names = (m?.result?.tools ?? []).map((t) => t.name).sort();
	check(`without an environment or a model, the image and video tools are listed: ${names}`,
		JSON.stringify(names) === JSON.stringify(['guard_redact', 'guard_scan', 'video_frames', 'video_info']));
	m = await s.ask({ jsonrpc: '2.0', id: 16, method: 'tools/call', params: { name: 'teleport', arguments: {} } });
	check('an unknown tool is -32602', err(m) === -32602 && /teleport/.test(m.error.message));
	m = await s.ask({ jsonrpc: '2.0', id: 161, method: 'tools/call', params: { name: 'é'.repeat(80), arguments: {} } });
	check('a long non-ASCII tool name cut in its message still gets -32602', err(m) === -32602 && m.id === 161);
	m = await s.ask({ jsonrpc: '2.0', id: 17, method: 'tools/call', params: { name: 'click', arguments: { x: 1, y: 2 } } });
	check('a screen tool without a screen is -32602', err(m) === -32602);
	m = await s.ask({ jsonrpc: '2.0', id: 18, method: 'tools/call', params: { arguments: {} } });
	check('tools/call without a name is -32602', err(m) === -32602);
	m = await s.ask({ jsonrpc: '2.0', id: 19, method: 'tools/call', params: { name: 'video_info', arguments: { path: 3 } } });
	check(`bad arguments under 2025-03-26 are -32602 naming the argument: ${JSON.stringify(m)}`,
		err(m) === -32602 && /'path' must be a string/.test(m.error.message));
	m = await s.ask({ jsonrpc: '2.0', id: 20, method: 'tools/call', params: { name: 'video_info', arguments: { path: 'a', speed: 2 } } });
	check('an unknown argument is -32602 naming it', err(m) === -32602 && /speed/.test(m.error.message));
	m = await s.ask({ jsonrpc: '2.0', id: 21, method: 'tools/call', params: { name: 'video_info' } });
	check('a missing required argument is -32602', err(m) === -32602 && /'path' is required/.test(m.error.message));
	m = await s.ask({ jsonrpc: '2.0', id: 22, method: 'tools/call', params: 'video_info' });
	check('params that are not an object are -32602', err(m) === -32602);
	m = await s.ask({ jsonrpc: '2.0', id: 23, method: 'tools/call', params: { name: 'video_info', arguments: { path: '/nonexistent.mp4' } } });
	check(`a tool that fails is an isError result naming the input: ${JSON.stringify(m)}`,
		m?.result?.isError === true && /nonexistent\.mp4/.test(m.result.content[0].text));
	m = await s.ask({ jsonrpc: '2.0', id: 24, method: 'tools/call', params: { name: 'guard_scan', arguments: { data: 'not base64 at all!' } } });
	check('guard_scan of data that is no image is an isError result', m?.result?.isError === true);

	// framing: a message in pieces, CRLF endings, blank lines, an oversized line
	s.send('{"jsonrpc":"2.0",');
	await new Promise((r) => setTimeout(r, 100));
	s.send('"id":25,"method":"ping"}\r\n\n   \n');
	m = await s.next();
	check('a message split across writes, with CRLF, is answered', m?.id === 25 && m.result);
	const big = '{"jsonrpc":"2.0","id":26,"method":"ping","params":{"pad":"' + 'x'.repeat(33 << 20) + '"}}\n';
	s.send(big);
	m = await s.next(60000);
	check(`a line over the size cap is refused: ${JSON.stringify(m)?.slice(0, 200)}`, err(m) === -32600 && /longer than/.test(m.error.message));
	m = await s.ask({ jsonrpc: '2.0', id: 27, method: 'ping' });
	check('the server keeps answering after the oversized line', m?.id === 27 && m.result);
	check(`stdout carried only JSON-RPC messages (${s.bad.length} other lines)`, s.bad.length === 0);
	check('the server exits 0 when the client closes stdin', (await s.close()) === 0);

	// version negotiation: unknown versions get the latest; 2025-06-18 is kept
	s = new Raw();
	m = await s.ask(init(1, '1999-01-01'));
	check(`an unknown version is answered with the latest: ${m?.result?.protocolVersion}`, m?.result?.protocolVersion === '2025-11-25');
	m = await s.ask({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'video_info', arguments: {} } });
	check('bad arguments under 2025-11-25 are an isError result (SEP-1303)', m?.result?.isError === true &&
		/'path' is required/.test(m.result.content[0].text));
	await s.close();
	s = new Raw();
	m = await s.ask(init(1, '2025-06-18'));
	check('2025-06-18 is answered in kind', m?.result?.protocolVersion === '2025-06-18');
	m = await s.ask({ jsonrpc: '2.0', id: 2, method: 'initialize' });
	await s.close();
	s = new Raw();
	m = await s.ask({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} });
	check('initialize without a protocolVersion is -32602', err(m) === -32602);
	await s.close();

	// a flood of slow calls: the queue is capped, the server says it is busy and goes on
	s = new Raw();
	await s.ask(init(1, '2025-11-25'));
	const flood = [];
	for (let i = 0; i < 100; i++)
		flood.push(JSON.stringify({ jsonrpc: '2.0', id: 100 + i, method: 'tools/call', params: { name: 'video_info', arguments: { path: '/nonexistent/' + i } } }));
	s.send(flood.join('\n') + '\n');
	const got = [];
	for (let i = 0; i < 100; i++) got.push(await s.next());
	const busy = got.filter((x) => err(x) === -32000).length;
	console.log(`flood: ${busy} of 100 calls answered busy`);
	check(`every flooded call is answered, as a result or as busy (${busy} busy)`,
		got.every((x) => x && (x.result?.isError || err(x) === -32000)) && new Set(got.map((x) => x.id)).size === 100);
	m = await s.ask({ jsonrpc: '2.0', id: 'after', method: 'ping' });
	check('ping answers after the flood', m?.id === 'after');
	await s.close();

	// usage errors: a bad flag or environment exits with the documented status
	s = new Raw(['mcp', '--help']);
	check('--help exits 0', (await s.exit) === 0);
	s = new Raw(['mcp', '--frobnicate']);
	check('an unknown flag exits 2', (await s.exit) === 2);
	s = new Raw(['mcp', '--env', 'x11:9999']);
	check('an environment that cannot be opened exits 3', (await s.exit) === 3);
}

try {
	await main();
} catch (e) {
	fail++;
	console.error('FAIL: exception: ' + (e?.stack ?? e));
}
console.log(`${pass} passed, ${fail} failed`);
process.exit(fail ? 1 : 0);
