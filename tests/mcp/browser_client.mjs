// browser_client.mjs — the checks of test_mcp_browser.sh: the official MCP TypeScript SDK's
// Client starts `magi mcp --env browser:URL` on the local test site and calls its tools.
// Environment: MAGI, SDK_DIR, TMP, SITE (http://127.0.0.1:PORT), PORT.
// Prints "N passed, N failed" and exits 1 when a check failed.
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
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
const text = (r) => r.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');
const images = (r) => r.content.filter((c) => c.type === 'image');
function ocr(item, name) {
	const f = path.join(env.TMP, name);
	fs.writeFileSync(f, Buffer.from(item.data, 'base64'));
	return execFileSync('tesseract', [f, '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}
// the element of that name in a list_elements result
const element = (r, name) => (r.structuredContent?.elements ?? []).find((e) => e.line.includes(`"${name}"`));

let serverLog = '';
async function main() {
	const asked = [];
	const transport = new StdioClientTransport({
		command: env.MAGI,
		args: ['mcp', '--env', `browser:${env.SITE}/checkout.html`, '--config', path.join(env.TMP, 'cfg.yaml')],
		env: { ...process.env },
		stderr: 'pipe',
	});
	transport.stderr?.on('data', (d) => { serverLog += d; process.stderr.write(d); });
	const client = new Client({ name: 'magi-browser-test', version: '1.0.0' }, { capabilities: { elicitation: {} } });
	// the person declines everything the gate asks about
	client.setRequestHandler(ElicitRequestSchema, async (request) => {
		asked.push(request.params.message);
		return { action: 'decline' };
	});
	await client.connect(transport);

	// 1. the browser's tools are offered
	const names = (await client.listTools()).tools.map((t) => t.name);
	for (const t of ['navigate', 'list_elements', 'click_element', 'screenshot', 'find_text'])
		check(`tools/list offers ${t}: ${names}`, names.includes(t));

	// 2. the element list: numbered, with roles and names from the DOM
	let r = await client.callTool({ name: 'list_elements', arguments: {} });
	check(`list_elements answers: ${text(r)}`, !r.isError && /\[\d+\] button "Pay now" at \(\d+, \d+\)/.test(text(r)));
	const card = element(r, 'Card number'), pay = element(r, 'Pay now');
	check(`the card field and the pay button are listed: ${JSON.stringify(r.structuredContent)}`,
		card?.role === 'textbox' && pay?.role === 'button' && card.visible && card.w > 0);

	// 3. the secret typed by magi into the field clicked by number: the client sees its placeholder
	r = await client.callTool({ name: 'click_element', arguments: { element: card.id } });
	check(`click_element on the card field: ${text(r)}`, !r.isError);
	r = await client.callTool({ name: 'type', arguments: { text: '<secret:card>' } });
	check(`the secret is typed into the field labelled for it: ${text(r)}`, !r.isError);
	r = await client.callTool({ name: 'list_elements', arguments: {} });
	check(`the field's value comes back as its placeholder: ${text(r)}`,
		text(r).includes('textbox "Card number" value "<secret:card>"') && !/4111/.test(JSON.stringify(r)));

	// 4. the screenshot: the e-mail in the page's text and the typed card are covered
	r = await client.callTool({ name: 'screenshot', arguments: {} });
	check(`screenshot covers what the DOM says is personal: ${text(r)}`, !r.isError && r.structuredContent?.covered >= 2);
	const seen = ocr(images(r)[0], 'page.png');
	check(`the page is on it: ${seen}`, /checkout/i.test(seen));
	check(`but not the e-mail or the card: ${seen}`, !/jane|example\.com|4111/i.test(seen));
	r = await client.callTool({ name: 'find_text', arguments: { text: 'Shipping' } });
	check(`find_text reads the DOM's text: ${text(r)}`, r.structuredContent?.matches?.length === 1);

	// 5. paying asks the person, who declines: nothing is clicked
	r = await client.callTool({ name: 'click_element', arguments: { element: pay.id } });
	check(`click_element on Pay now is refused when declined: ${text(r)}`, r.isError && /declined/.test(text(r)));
	check(`the person was asked about paying: ${asked}`, asked.length === 1 && /Pay now/.test(asked[0]) && /payment/.test(asked[0]));

	// 6. leaving the allowlist asks too; inside it navigate just goes
	r = await client.callTool({ name: 'navigate', arguments: { url: `http://localhost:${env.PORT}/outside-target` } });
	check(`navigate outside the allowlist is refused when declined: ${text(r)}`, r.isError && /outside the allowed domains/.test(text(r)));
	check('the person was asked about it', asked.length === 2 && /localhost/.test(asked[1] ?? ''));
	r = await client.callTool({ name: 'navigate', arguments: { url: `${env.SITE}/search.html` } });
	check(`navigate inside the allowlist goes: ${text(r)}`, !r.isError);
	r = await client.callTool({ name: 'list_elements', arguments: {} });
	check(`the element list is the new page's: ${text(r)}`, r.structuredContent?.url === `${env.SITE}/search.html` && !element(r, 'Pay now'));
	r = await client.callTool({ name: 'click_element', arguments: { element: 999 } });
	check(`a number not on the page is an error naming the range: ${text(r)}`, r.isError && /999/.test(text(r)));
	await client.close();
}

try {
	await main();
} catch (e) {
	fail++;
	console.error('FAIL: exception: ' + (e?.stack ?? e));
}
await new Promise((r) => setTimeout(r, 300));
check('the server reported no sanitizer error or leak', !/Sanitizer|runtime error:/.test(serverLog));
console.log(`${pass} passed, ${fail} failed`);
process.exit(fail ? 1 : 0);
