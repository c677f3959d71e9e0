// Logging in and calling /api/v1 from the gateway's pages (the room and the dashboard import it from
// /room/session.js): tokens kept in the tab's sessionStorage under one key, so one login serves both
// pages; a 401 refreshes them once; problem documents become ApiError with their detail.

export const $ = (id) => document.getElementById(id);
const TOKENS = "linli.tokens";

export let tokens = JSON.parse(sessionStorage.getItem(TOKENS) || "null");

export function saveTokens(value) {
  tokens = value;
  if (value) sessionStorage.setItem(TOKENS, JSON.stringify(value));
  else sessionStorage.removeItem(TOKENS);
}

export function notice(text) {
  $("notice").textContent = text;
  $("notice").hidden = !text;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
  }
}

async function refresh() {
  if (!tokens || !tokens.refresh_token) return false;
  const response = await fetch("/api/v1/auth/refresh", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ refresh_token: tokens.refresh_token }),
  });
  if (!response.ok) return false;
  saveTokens(await response.json());
  return true;
}

// The response of a call as the logged-in person (`headers` may set accept, idempotency-key…).
export async function call(method, path, body, headers = {}) {
  for (let attempt = 0; ; attempt++) {
    const all = { accept: "application/json", ...headers };
    if (tokens) all.authorization = `Bearer ${tokens.access_token}`;
    if (body !== undefined) all["content-type"] = "application/json";
    const response = await fetch(path, { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status === 401 && attempt === 0 && (await refresh())) continue;
    if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
    return response;
  }
}

// The JSON a call answers (null for 204).
export async function api(method, path, body, headers = {}) {
  const response = await call(method, path, body, headers);
  return response.status === 204 ? null : response.json().catch(() => null);
}

// The login forms every page has (phone → code, or a token pasted) and the logout button; `start`
// runs once logged in.
export function bindLogin(start) {
  $("otp-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", "/api/v1/auth/otp", { phone: $("phone").value.trim() });
      $("code-form").hidden = false;
      $("code").focus();
      notice("验证码已发送");
    } catch (error) {
      notice(error.message);
    }
  });

  $("code-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      saveTokens(await api("POST", "/api/v1/auth/token", { phone: $("phone").value.trim(), code: $("code").value.trim() }));
      notice("");
      start();
    } catch (error) {
      notice(error.message);
    }
  });

  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    saveTokens({ access_token: $("token").value.trim() });
    start();
  });

  $("logout").addEventListener("click", () => {
    saveTokens(null);
    location.reload();
  });
}
