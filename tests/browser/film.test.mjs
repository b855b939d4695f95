// A film source in a real browser: a researcher uploads a recording and its transcript (first
// forgetting the transcript); the demo's recording plays on its source page, and a click on a line
// of the transcript moves the player to that line's time. Every page is checked with axe.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkPage, clickAndWait, demoEmail, launch, newPage, pathOf, signIn } from "./helpers.mjs";

const SOURCES = "/programmes/adults-with-disabilities/sources";
const DEMO_FILM = "Parents' stories: a recorded interview (demo)";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("a commissioner plays the demo film from a line of its transcript", async () => {
  const page = await newPage(browser);
  await signIn(page, demoEmail("commissioner"));
  await page.goto(SOURCES);
  await clickAndWait(page, page.getByRole("link", { name: DEMO_FILM }));
  await checkPage(page);

  const player = page.locator(".heard-film__player");
  assert.equal(await player.count(), 1, "the film has a player");
  const cues = page.locator(".heard-film__cue-link");
  assert.equal(await cues.count(), 6, "one link per cue");
  const fourth = cues.nth(3);
  // Without JavaScript the link opens the recording at the cue's start.
  assert.match(await fourth.getAttribute("href"), /\/sources\/\d+\/media#t=12(\.0+)?$/);
  assert.match(await fourth.innerText(), /0:12/);

  await player.evaluate((media) => {
    media.muted = true;
  });
  await fourth.click();
  await page.waitForFunction(
    () => {
      const media = document.querySelector(".heard-film__player");
      return media.currentTime >= 12 && media.currentTime < 16;
    },
    null,
    { timeout: 5_000 },
  );
  assert.match(page.url(), /\/sources\/\d+$/, "the page stays where it is");

  await cues.nth(0).click();
  await page.waitForFunction(() => document.querySelector(".heard-film__player").currentTime < 4, null, {
    timeout: 5_000,
  });
  await checkPage(page);
  await page.context().close();
});

/** A second of silence as a mono 16-bit WAV at 8 kHz, made here so the test needs no file. */
function silentWav() {
  const samples = 8000;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write("RIFF", 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write("WAVEfmt ", 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(8000, 24);
  wav.writeUInt32LE(16000, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write("data", 36);
  wav.writeUInt32LE(samples * 2, 40);
  // A different sample per run, so each run's recording is its own file.
  wav.writeInt16LE(Date.now() % 30000, 44);
  return wav;
}

test("a researcher uploads a film with its transcript", async () => {
  const page = await newPage(browser);
  await signIn(page, demoEmail("researcher"));
  await page.goto(`${SOURCES}/new-film`);
  await checkPage(page);

  const title = `Browser test film ${Date.now().toString(36)}`;
  await page.getByLabel("Title (optional)").fill(title);
  await page.getByLabel("Recording").setInputFiles({ name: "silence.wav", mimeType: "audio/wav", buffer: silentWav() });
  await clickAndWait(page, page.getByRole("button", { name: "Add film" }), { status: 422 });
  await checkPage(page);
  assert.match(await page.locator(".govuk-error-summary").innerText(), /Select the transcript/);

  const vtt = "WEBVTT\n\n00:00.000 --> 00:00.900\n<v Interviewer (demo)>A second of silence.\n";
  await page.getByLabel("Transcript").setInputFiles({ name: "t.vtt", mimeType: "text/vtt", buffer: Buffer.from(vtt) });
  await page.getByLabel("Recording").setInputFiles({ name: "silence.wav", mimeType: "audio/wav", buffer: silentWav() });
  await clickAndWait(page, page.getByRole("button", { name: "Add film" }));
  assert.match(pathOf(page), /^\/programmes\/adults-with-disabilities\/sources\/\d+$/);
  await checkPage(page);
  assert.match(await page.locator("h1").innerText(), new RegExp(title));
  await page.context().close();
});
