// Share links: the whole scenario lives in the URL fragment, which browsers never send
// to a server. "#scenario=<base64url of UTF-8 JSON>" or "#preset=<name>".

export function encodeScenario(scenario) {
  const bytes = new TextEncoder().encode(JSON.stringify(scenario));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeScenario(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("This link is damaged: the scenario part contains characters a share link never has.");
  let binary;
  try {
    binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    throw new Error("This link is damaged: the scenario part could not be decoded.");
  }
  let json;
  try {
    json = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    throw new Error("This link is damaged: the scenario is not valid text.");
  }
  try {
    return JSON.parse(json);
  } catch {
    throw new Error("This link is damaged: the scenario is not valid JSON.");
  }
}

// What the fragment asks for: {preset}, {scenario}, {error} or null when there is none.
export function readFragment(hash) {
  const fragment = hash.replace(/^#/, "");
  if (fragment.startsWith("preset=")) return { preset: decodeURIComponent(fragment.slice(7)) };
  if (fragment.startsWith("scenario=")) {
    try {
      return { scenario: decodeScenario(fragment.slice(9)) };
    } catch (error) {
      return { error: error.message };
    }
  }
  return null;
}

export function shareUrl(scenario) {
  const url = new URL(window.location.href);
  url.hash = `scenario=${encodeScenario(scenario)}`;
  return url.href;
}
