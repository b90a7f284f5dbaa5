// sdk_client.mjs — the checks of test_mcp_sdk.sh: the official MCP TypeScript SDK's Client
// with StdioClientTransport starts `magi mcp` on the test's Xvfb and calls its tools.
// Environment: MAGI, SDK_DIR, TMP, DISPLAY, GUI_URL, SLOW_URL, SLOW_LOG, VIDEO_URL, VIDEO_LOG.
// Prints "N passed, N failed" and exits 1 when a check failed.
import { createRequire } from 'node:module';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const env = process.env;
const req = createRequire(path.join(env.SDK_DIR, 'package.json'));
const { Client } = req('@modelcontextprotocol/sdk/client/index.js');
const { StdioClientTransport } = req('@modelcontextprotocol/sdk/client/stdio.js');
const { ElicitRequestSchema } = req('@modelcontextprotocol/sdk/types.js');

let pass = 0, fail = 0;
function check(desc, ok) {
	if (ok) pass++;
	else { fail++; console.error('FAIL: ' + desc); }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const kids = [];

// ---- X programs ---------------------------------------------------------------------
const BIGFONT = '-*-helvetica-bold-r-normal--34-*-*-*-*-*-iso8859-1';
async function waitWindow(cls) {
	for (let i = 0; i < 100; i++) {
		const tree = execFileSync('xwininfo', ['-root', '-tree'], { encoding: 'utf8' });
		if (tree.includes(`("${cls}"`)) { await sleep(400); return true; }
		await sleep(50);
	}
	return false;
}
// An xmessage dialog; .status resolves with its exit status (which button was pressed).
async function xmessage(buttons, text) {
	const p = spawn('xmessage', ['-fn', BIGFONT, '-xrm', '*Command.internalWidth: 16', '-xrm',
		'*Command.internalHeight: 8', '-center', '-buttons', buttons, text], { stdio: 'ignore' });
	kids.push(p);
	p.status = new Promise((r) => p.on('exit', (code) => r(code)));
	await waitWindow('xmessage');
	return p;
}
const running = (p) => p.exitCode === null && p.signalCode === null;
function stop(p) { if (running(p)) p.kill('SIGTERM'); }

// ---- images -----------------------------------------------------------------------------
function saveImage(item, name) {
	const f = path.join(env.TMP, name);
	fs.writeFileSync(f, Buffer.from(item.data, 'base64'));
	return f;
}
// ImageMagick decodes the whole image: "WxH" or '' when it is not an image.
function decodedSize(file) {
	try { return execFileSync('convert', [file, '-format', '%wx%h', 'info:'], { encoding: 'utf8' }).trim(); }
	catch { return ''; }
}
function ocr(file) {
	return execFileSync('tesseract', [file, '-', '--psm', '11'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}
const images = (r) => r.content.filter((c) => c.type === 'image');
const text = (r) => r.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');

// ---- the client -------------------------------------------------------------------------
// every server's standard error, passed on and kept: a sanitizer report in it fails the test
let serverLog = '';
async function connect(args = [], elicit = null) {
	const transport = new StdioClientTransport({
		command: env.MAGI,
		args: ['mcp', '--env', 'x11' + env.DISPLAY, '--runs', path.join(env.TMP, 'runs'), ...args],
		env: { ...process.env },
		stderr: 'pipe',
	});
	transport.stderr?.on('data', (d) => { serverLog += d; process.stderr.write(d); });
	const client = new Client({ name: 'magi-test', version: '1.0.0' },
		{ capabilities: elicit ? { elicitation: {} } : {} });
	if (elicit) client.setRequestHandler(ElicitRequestSchema, elicit);
	await client.connect(transport);
	return client;
}
async function findText(client, what) {
	const r = await client.callTool({ name: 'find_text', arguments: { text: what } });
	return r.structuredContent?.matches ?? [];
}
// the lowest match on the screen: dialog buttons sit below their message
const lowest = (m) => m.reduce((a, b) => (b.cy > a.cy ? b : a), m[0]);

async function main() {
	const client = await connect(['--base-url', env.GUI_URL]);

	// 1. the tool list, named as other servers name theirs
	const tools = (await client.listTools()).tools;
	const names = tools.map((t) => t.name).sort();
	const want = ['click', 'double_click', 'drag', 'find_text', 'guard_redact', 'guard_scan', 'key',
		'run_task', 'screenshot', 'scroll', 'type', 'video_ask', 'video_frames', 'video_info'];
	check(`tools/list names every tool: ${names}`, JSON.stringify(names) === JSON.stringify(want));
	check('every tool has an object input schema', tools.every((t) => t.inputSchema?.type === 'object'));
	check('server says it is magi', client.getServerVersion()?.name === 'magi');
	check('ping answers', JSON.stringify(await client.ping()) === '{}');

	// 2. a screenshot decodes at the screen's size, with the e-mail address covered
	let xm = await xmessage('Yes:3,No:4', 'Save the document? Ask alice.smith@example.com');
	let r = await client.callTool({ name: 'screenshot', arguments: {} });
	let img = images(r)[0];
	check('screenshot is a PNG image item', img?.mimeType === 'image/png');
	let shot = img ? saveImage(img, 'shot.png') : '';
	check(`screenshot decodes at 1280x720 (${decodedSize(shot)})`, decodedSize(shot) === '1280x720');
	let read = ocr(shot);
	check(`redacted screenshot still shows the dialog: ${read}`, /document/i.test(read));
	check(`redacted screenshot hides the e-mail address: ${read}`, !/example/i.test(read) && !/alice/i.test(read));
	check('screenshot says what it covered', r.structuredContent?.covered >= 1 && /email/.test(text(r)));
	r = await client.callTool({ name: 'screenshot', arguments: { format: 'jpeg', quality: 70 } });
	img = images(r)[0];
	check('jpeg screenshot is image/jpeg', img?.mimeType === 'image/jpeg');
	check('jpeg screenshot decodes at 1280x720', img && decodedSize(saveImage(img, 'shot.jpg')) === '1280x720');
	// a client the configuration trusts sees the pixels as they are
	const trusted = await connect(['--trust', 'local']);
	r = await trusted.callTool({ name: 'screenshot', arguments: {} });
	read = images(r)[0] ? ocr(saveImage(images(r)[0], 'trusted.png')) : '';
	check(`trusted client's screenshot shows the e-mail address: ${read}`, /example/i.test(read));
	await trusted.close();

	// 3. find_text grounds "No"; a click there closes the dialog with No's exit status
	let m = await findText(client, 'No');
	check(`find_text finds No: ${JSON.stringify(m)}`, m.length >= 1);
	if (m.length) {
		const b = lowest(m);
		r = await client.callTool({ name: 'click', arguments: { x: b.cx, y: b.cy } });
		check(`click succeeds: ${text(r)}`, !r.isError);
	}
	const st = await Promise.race([xm.status, sleep(5000).then(() => 'still open')]);
	check(`xmessage exit status says No was clicked (${st})`, st === 4);
	stop(xm);

	// 4. guard_scan finds the PII of an image file; guard_redact covers it (base64 in and out)
	r = await client.callTool({ name: 'guard_scan', arguments: { path: path.join(env.TMP, 'pii.png') } });
	const types = (r.structuredContent?.pii ?? []).map((f) => f.type);
	check(`guard_scan finds the e-mail and the card: ${types}`, types.includes('email') && types.includes('card'));
	check('guard_scan does not echo the PII to an untrusted client', !/alice|4111/.test(JSON.stringify(r)));
	const data = fs.readFileSync(path.join(env.TMP, 'pii.png')).toString('base64');
	r = await client.callTool({ name: 'guard_redact', arguments: { data } });
	img = images(r)[0];
	const red = img ? saveImage(img, 'redacted.png') : '';
	check(`guard_redact image decodes at 900x300 (${decodedSize(red)})`, decodedSize(red) === '900x300');
	read = red ? ocr(red) : '';
	check(`redacted image keeps the harmless line: ${read}`, /Meeting/.test(read));
	check(`redacted image: the PII no longer reads: ${read}`, !/example|alice/i.test(read) && !/4111|1111/.test(read));
	r = await client.callTool({ name: 'guard_redact', arguments: { path: '/nonexistent/x.png' } });
	check(`guard_redact of a missing file is a tool error naming it: ${text(r)}`, r.isError && /nonexistent/.test(text(r)));

	// 5. the risk gate: without elicitation a click on Delete is refused, the dialog stays
	xm = await xmessage('Delete:3,Keep:4', 'Remove report.txt for good?');
	m = await findText(client, 'Delete');
	const del = m.length ? lowest(m) : { cx: 1, cy: 1 };
	check('find_text finds Delete', m.length >= 1);
	r = await client.callTool({ name: 'click', arguments: { x: del.cx, y: del.cy } });
	check(`click on Delete is refused without elicitation: ${text(r)}`, r.isError && /refused/.test(text(r)) &&
		r.structuredContent?.category === 'delete');
	await sleep(800);
	check('the dialog is still open after the refused click', running(xm));
	r = await client.callTool({ name: 'type', arguments: { text: 'rm -rf / --no-preserve-root' } });
	check(`destructive shell text is denied: ${text(r)}`, r.isError && /denies/.test(text(r)) &&
		r.structuredContent?.tier === 'deny');
	// arguments that do not fit the schema: a tool error the model can read (2025-11-25)
	r = await client.callTool({ name: 'click', arguments: { x: 'left', y: 3 } });
	check(`bad argument is an isError result: ${text(r)}`, r.isError && /'x' must be a number/.test(text(r)));
	let code = null;
	try { await client.callTool({ name: 'teleport', arguments: {} }); } catch (e) { code = e.code; }
	check(`unknown tool is JSON-RPC error -32602 (${code})`, code === -32602);

	// with elicitation: the person declines, then allows
	const asked = [];
	const answers = ['decline', 'accept'];
	const el = await connect([], async (request) => {
		asked.push(request.params.message);
		const action = answers.shift() ?? 'decline';
		return action === 'accept' ? { action, content: { allow: true } } : { action };
	});
	r = await el.callTool({ name: 'click', arguments: { x: del.cx, y: del.cy } });
	check(`declined elicitation refuses the click: ${text(r)}`, r.isError && /declined/.test(text(r)));
	check(`the person was asked about Delete: ${asked[0]}`, asked.length === 1 && /delete/i.test(asked[0] ?? ''));
	await sleep(500);
	check('the dialog is still open after the declined click', running(xm));
	r = await el.callTool({ name: 'click', arguments: { x: del.cx, y: del.cy } });
	check(`allowed click goes through: ${text(r)}`, !r.isError);
	const st2 = await Promise.race([xm.status, sleep(5000).then(() => 'still open')]);
	check(`xmessage says Delete was clicked once allowed (${st2})`, st2 === 3);
	stop(xm);
	await el.close();

	// 6. run_task: a whole run with the stand-in model, one progress notification per step
	xm = await xmessage('OK:3,Cancel:4', 'Close this dialog');
	const progress = [];
	r = await client.callTool({ name: 'run_task', arguments: { task: 'Close the dialog with Cancel', recipe: 'single', max_steps: 5 } },
		undefined, { onprogress: (p) => progress.push(p), timeout: 240000, resetTimeoutOnProgress: true });
	check(`run_task succeeds: ${text(r)}`, r.structuredContent?.success === true && r.structuredContent?.reason === 'done');
	// The server sends each step's notification before the result. The SDK's client runs
	// notification handlers in a microtask but a response at once, and drops the request's
	// progress handler with it: the last step's notification, read in the same chunk as the
	// result, can be lost on the client's side (seen under load). So: one per step, the last
	// one allowed missing.
	const nsteps = r.structuredContent?.steps ?? 0;
	check(`run_task sent a progress notification per step (${nsteps} steps): ${JSON.stringify(progress)}`,
		nsteps >= 2 && progress.length >= nsteps - 1 && progress.length <= nsteps &&
		progress.every((p, i) => p.progress === i + 1 && p.total === 5));
	check('run_task names a report that exists', fs.existsSync(r.structuredContent?.report ?? '/nonexistent'));
	const st3 = await Promise.race([xm.status, sleep(5000).then(() => 'still open')]);
	check(`run_task clicked Cancel (${st3})`, st3 === 4);
	stop(xm);
	await client.close();

	// 7. video tools: facts, frames as images, and a question answered by the stand-in model
	const vc = await connect(['--base-url', env.VIDEO_URL]);
	const clip = path.join(env.TMP, 'clip.mp4');
	r = await vc.callTool({ name: 'video_info', arguments: { path: clip } });
	check(`video_info: ${text(r)}`, Math.abs((r.structuredContent?.duration_s ?? 0) - 2) < 0.2 && r.structuredContent?.width === 320);
	r = await vc.callTool({ name: 'video_frames', arguments: { path: clip, count: 3 } });
	check(`video_frames returns 3 images: ${text(r)}`, images(r).length === 3 && /Frame 3 at/.test(text(r)));
	check('a frame decodes at 320x240', images(r)[0] && decodedSize(saveImage(images(r)[0], 'frame.jpg')) === '320x240');
	const vprog = [];
	r = await vc.callTool({ name: 'video_ask', arguments: { path: clip, question: 'What does the video show?', recipe: 'uniform', frames: 4 } },
		undefined, { onprogress: (p) => vprog.push(p) });
	check(`video_ask answers: ${text(r)}`, r.structuredContent?.answer === 'a test pattern' && fs.existsSync(r.structuredContent?.report ?? '/x'));
	check(`video_ask sent progress: ${JSON.stringify(vprog)}`, vprog.length >= 1);
	const vlog = fs.readFileSync(env.VIDEO_LOG, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.image_info);
	check('the model was sent the 4 frames', vlog.length === 1 && vlog[0].image_info.length === 4);
	r = await vc.callTool({ name: 'video_info', arguments: { path: path.join(env.TMP, 'pii.png') } });
	check(`video_info of a still image is a tool error: ${text(r)}`, r.isError);
	await vc.close();

	// 8. cancellation: the run stops at its next look or action and makes no more model calls
	const ticker = spawn('xterm', ['-geometry', '40x5+0+0', '-e', 'sh', '-c', 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.2; done'], { stdio: 'ignore' });
	kids.push(ticker);
	await waitWindow('xterm');
	const sc = await connect(['--base-url', env.SLOW_URL]);
	const ac = new AbortController();
	let aborted = false;
	const slow = sc.callTool({ name: 'run_task', arguments: { task: 'Wait a lot', recipe: 'single', max_steps: 10 } },
		undefined, { signal: ac.signal, timeout: 240000, onprogress: () => ac.abort('enough') })
		.catch(() => { aborted = true; });
	await slow;
	check('the cancelled call was abandoned by the client', aborted);
	// tool calls run one at a time: this answer comes once the cancelled run has stopped
	r = await sc.callTool({ name: 'screenshot', arguments: {} }, undefined, { timeout: 240000 });
	check('the server answers after the cancellation', images(r).length === 1);
	const calls = () => fs.readFileSync(env.SLOW_LOG, 'utf8').trim().split('\n').filter((l) => l.includes('chat/completions')).length;
	const n1 = calls();
	await sleep(2500);
	check(`the cancelled run stopped early: ${n1} of 10 model calls`, n1 >= 1 && n1 <= 3 && calls() === n1);
	check('ping still answers', JSON.stringify(await sc.ping()) === '{}');
	await sc.close();
	ticker.kill('SIGTERM');
}

try {
	await main();
} catch (e) {
	fail++;
	console.error('FAIL: exception: ' + (e?.stack ?? e));
} finally {
	for (const k of kids) if (running(k)) k.kill('SIGTERM');
}
await sleep(300); // the last server's exit report, if any
check('no server reported a sanitizer error or a leak', !/Sanitizer|runtime error:/.test(serverLog));
console.log(`${pass} passed, ${fail} failed`);
process.exit(fail ? 1 : 0);
