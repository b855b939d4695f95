// Film sources: a click on a cue's time plays the recording on the page from that cue, and the
// cue being played is marked. Without this script the same link opens the recording at the cue
// (a media fragment, #t=SECONDS).
for (const film of document.querySelectorAll("[data-heard-film]")) {
  const player = film.querySelector("audio, video");
  const cues = Array.from(film.querySelectorAll(".heard-film__cue"));
  if (!player) continue;
  for (const link of film.querySelectorAll("a[data-start]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      player.currentTime = Number(link.dataset.start);
      // A browser may refuse to start playing; the position is set either way.
      player.play().catch(() => {});
    });
  }
  player.addEventListener("timeupdate", () => {
    const now = player.currentTime;
    for (const cue of cues) {
      const playing = now >= Number(cue.dataset.start) && now < Number(cue.dataset.end);
      cue.classList.toggle("heard-film__cue--playing", playing);
      if (playing) cue.setAttribute("aria-current", "true");
      else cue.removeAttribute("aria-current");
    }
  });
}
