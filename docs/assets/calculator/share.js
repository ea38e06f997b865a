// Share links: the whole state lives in the URL fragment, which browsers never send to a
// server. The fragment is `key=value` pairs joined by `&`:
//   preset=<name>                 one of the named examples, as long as it is not edited
//   scenario=<base64url JSON>     the scenario (UTF-8 JSON, base64url without padding; padding is accepted)
//   compare=<base64url JSON>      "what if": the pinned scenario A (the other one is B)

// The longest fragment the page reads. The largest scenario within the engine's bounds
// (3,660 dated usages, 500 events, 1,000 invitations) is about 150,000 characters once
// encoded; two of them (a comparison) fit. Anything longer is refused before decoding.
export const MAX_FRAGMENT = 400_000;

export function encodeScenario(scenario) {
  const bytes = new TextEncoder().encode(JSON.stringify(scenario));
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// Links are written as base64url without padding; a link made by another tool may carry
// standard base64 ("+", "/"), "=" padding, or padding escaped as "%3D": all read the same.
export function decodeScenario(text) {
  if (/%3D/i.test(text)) text = text.replace(/%3D/gi, "=");
  if (!/^[A-Za-z0-9_+/-]*={0,2}$/.test(text)) {
    throw new Error("the scenario part has characters that are not base64 (letters, digits, '-', '_', and '=' only at the end)");
  }
  let binary;
  try {
    binary = atob(text.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    throw new Error("the scenario part could not be decoded");
  }
  let json;
  try {
    json = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    throw new Error("the scenario is not valid text");
  }
  let value;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error("the scenario is not valid JSON");
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error("the scenario is not an object");
  return value;
}

// What the fragment asks for: null when it names no scenario (an empty or anchor-only
// fragment), else {preset?, scenario?, compare?} or {error}.
export function readFragment(hash) {
  const fragment = hash.replace(/^#/, "");
  if (!/^(preset|scenario|compare)=/.test(fragment)) return null;
  if (fragment.length > MAX_FRAGMENT) {
    return { error: `This link is too long to be a calculator link (${fragment.length.toLocaleString("en-US")} characters; at most ${MAX_FRAGMENT.toLocaleString("en-US")}).` };
  }
  const wanted = {};
  for (const part of fragment.split("&")) {
    const eq = part.indexOf("=");
    const key = part.slice(0, eq), value = part.slice(eq + 1);
    try {
      if (key === "preset") wanted.preset = decodeURIComponent(value);
      else if (key === "scenario") wanted.scenario = decodeScenario(value);
      else if (key === "compare") wanted.compare = decodeScenario(value);
    } catch (error) {
      const what = error instanceof URIError ? "the example's name is not a valid name" : error.message;
      return { error: `This link is damaged: ${what}.` };
    }
  }
  if (wanted.preset !== undefined && wanted.scenario) return { error: "This link is damaged: it names both an example and a scenario." };
  if (wanted.preset === undefined && !wanted.scenario) return { error: "This link is damaged: it has no scenario." };
  return wanted;
}

// The fragment for a state: the preset's name while it is unedited, else the scenario.
export function fragmentFor({ scenario, preset, pinned }) {
  const parts = [preset ? `preset=${encodeURIComponent(preset)}` : `scenario=${encodeScenario(scenario)}`];
  if (pinned) parts.push(`compare=${encodeScenario(pinned)}`);
  return `#${parts.join("&")}`;
}

export function shareUrl(state) {
  const url = new URL(window.location.href);
  url.hash = fragmentFor(state);
  return url.href;
}

// The scenario as JSON text for the engine. JSON has no NaN or Infinity, and
// JSON.stringify would turn them into null; the engine reads the bare tokens and names
// the field ("expected a whole number …, got a non-finite number Infinity").
export function scenarioText(scenario) {
  const marks = [];
  const text = JSON.stringify(scenario, (key, value) => {
    if (typeof value === "number" && !Number.isFinite(value)) { marks.push(String(value)); return `\u0000nonfinite${marks.length - 1}`; }
    return value;
  });
  return marks.length ? text.replace(/"\\u0000nonfinite(\d+)"/g, (_, i) => marks[Number(i)]) : text;
}
