/**
 * The notification centre and its preferences (#12): a person's notices newest first a page at
 * a time with the unread count, marking read (only one's own), preferences with every bad field
 * named, the one-click unsubscribe link (good, bad and tampered tokens), and a notice about a
 * private objective that leaves the centre of someone who may no longer see it.
 *
 * Nothing in this branch writes notices through the API yet, so they are recorded the way the
 * features that send them will: `notify` inside a write transaction.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grantOrgScope } from "../../src/db/org-scope.js";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { writeTransaction } from "../../src/services/context.js";
import { type NoticeInput, notify, unsubscribeToken } from "../../src/services/notify.service.js";
import { type ApiHarness, factories, orgIdOf, servicesOf, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

interface Notice {
  id: string;
  title: string;
  createdAt: string;
  readAt: string | null;
  objectiveId: string | null;
}

describe.each(DATABASE_KINDS)("notification centre on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  let orgId: string;
  let periodId: string;
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  const as = (who: string, method: string, url: string, body?: unknown) =>
    api.call(method, url, body, { authorization: `Bearer ${tokens[who]}` });

  /** Records notices the way a feature does: `notify` in one write transaction. */
  async function send(notices: (Partial<NoticeInput> & { userId: string; title: string })[]) {
    const svc = servicesOf(api);
    return writeTransaction(svc, { scope: grantOrgScope(orgId), actorId: null }, (t) =>
      notify(
        svc,
        t,
        null,
        notices.map((n) => ({
          kind: "reminder",
          objectType: "keyResult",
          objectId: n.objectId ?? n.userId,
          objectiveId: null,
          link: "/",
          ...n,
        })),
      ),
    );
  }

  /** Every notice of the caller, following `nextCursor` with pages of `limit`. */
  async function allPages(who: string, limit: number, extra = "") {
    const pages: { items: Notice[]; unread: number; nextCursor: string | null }[] = [];
    let cursor: string | null = null;
    do {
      const r = await as(
        who,
        "GET",
        `/notifications?limit=${limit}${extra}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      expect(r.status).toBe(200);
      pages.push(r.body);
      cursor = r.body.nextCursor;
    } while (cursor && pages.length < 50);
    return pages;
  }

  beforeAll(async () => {
    // The unsubscribe route shares the sign-in routes' per-address limit (10 a minute by default).
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12), { loginRateLimit: 100 });
    f = factories(api);
    orgId = await orgIdOf(api);
    periodId = (await f.period()).id;
    for (const who of ["carol", "olga", "tom"]) {
      ids[who] = (await f.user({ name: who, email: `${who}@example.com` })).id;
      tokens[who] = (await createTokenForEmail(api.database, `${who}@example.com`)).token;
    }
  });
  afterAll(() => api?.close());

  it("lists a person's notices newest first, a page at a time, each exactly once, with the unread count", async () => {
    // Five written one by one (different instants), then twenty in one write (one instant).
    for (let i = 0; i < 5; i++) await send([{ userId: ids.carol!, title: `single ${i}` }]);
    await send(Array.from({ length: 20 }, (_, i) => ({ userId: ids.carol!, title: `batch ${i}` })));

    const pages = await allPages("carol", 7);
    expect(pages.map((p) => p.items.length)).toEqual([7, 7, 7, 4]);
    expect(pages.at(-1)?.nextCursor).toBeNull();
    for (const p of pages) expect(p.unread).toBe(25);
    const items = pages.flatMap((p) => p.items);
    expect(new Set(items.map((n) => n.id)).size).toBe(25);
    // Newest first: the batch (written last) leads, the first single comes last.
    expect(items.slice(0, 20).every((n) => n.title.startsWith("batch"))).toBe(true);
    expect(items.slice(20).map((n) => n.title)).toEqual(["single 4", "single 3", "single 2", "single 1", "single 0"]);
    const times = items.map((n) => Date.parse(n.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(items.every((n) => n.readAt === null)).toBe(true);

    // Nobody else sees them.
    expect((await api.call("GET", "/notifications")).body).toMatchObject({ items: [], unread: 0, nextCursor: null });
    expect((await as("tom", "GET", "/notifications")).body.unread).toBe(0);
  });

  it("marks chosen notices read, only the caller's own, and lists only unread ones on request", async () => {
    const first = (await as("carol", "GET", "/notifications?limit=3")).body.items as Notice[];
    const chosen = first.map((n) => n.id);

    // Someone else's ids: nothing changes, for them or for her.
    expect((await as("tom", "POST", "/notifications/read", { ids: chosen })).body).toEqual({ marked: 0 });
    expect((await api.call("POST", "/notifications/read", { ids: chosen })).body).toEqual({ marked: 0 });
    expect((await as("carol", "GET", "/notifications?limit=1")).body.unread).toBe(25);

    const marked = await as("carol", "POST", "/notifications/read", { ids: chosen });
    expect(marked).toMatchObject({ status: 200, body: { marked: 3 } });
    // Again: already read, nothing more to mark.
    expect((await as("carol", "POST", "/notifications/read", { ids: chosen })).body).toEqual({ marked: 0 });

    const after = (await as("carol", "GET", "/notifications?limit=3")).body;
    expect(after.unread).toBe(22);
    expect((after.items as Notice[]).every((n) => n.readAt !== null)).toBe(true);

    const unreadPages = await allPages("carol", 10, "&unread=true");
    const unread = unreadPages.flatMap((p) => p.items);
    expect(unread).toHaveLength(22);
    expect(unread.some((n) => chosen.includes(n.id))).toBe(false);
    expect(unread.every((n) => n.readAt === null)).toBe(true);
  });

  it("marks all read at once, and only the caller's", async () => {
    await send([{ userId: ids.tom!, title: "for Tom" }]);
    expect((await as("carol", "POST", "/notifications/read", { all: true })).body).toEqual({ marked: 22 });
    expect((await as("carol", "GET", "/notifications?unread=true")).body).toMatchObject({ items: [], unread: 0 });
    expect((await as("tom", "GET", "/notifications")).body.unread).toBe(1);
  });

  it("refuses bad list and mark-read input with 400 naming the field", async () => {
    const bad: [string, string, unknown, string][] = [
      ["GET", "/notifications?limit=0", undefined, "limit"],
      ["GET", "/notifications?limit=many", undefined, "limit"],
      ["GET", "/notifications?unread=yes", undefined, "unread"],
      ["GET", "/notifications?cursor=not-a-cursor", undefined, "cursor"],
      [
        "GET",
        `/notifications?cursor=${Buffer.from("2026-01-01T00:00:00Z|x").toString("base64url")}`,
        undefined,
        "cursor",
      ],
      ["POST", "/notifications/read", {}, "send either ids"],
      ["POST", "/notifications/read", { ids: [] }, "ids"],
      ["POST", "/notifications/read", { ids: [""] }, "ids.0: must be an id"],
      ["POST", "/notifications/read", { ids: [7] }, "ids.0"],
      ["POST", "/notifications/read", { all: false }, "all"],
      ["POST", "/notifications/read", { all: true, ids: [ids.carol] }, "send either ids"],
      ["POST", "/notifications/read", { all: true, also: 1 }, "also"],
    ];
    // An id that names no notice of the caller's (like any unknown id) marks nothing.
    expect((await as("carol", "POST", "/notifications/read", { ids: ["nope"] })).body).toEqual({ marked: 0 });
    for (const [method, url, body, field] of bad) {
      const r = await as("carol", method, url, body);
      expect(r.status, `${method} ${url} ${JSON.stringify(body)}`).toBe(400);
      expect(r.body.error.code).toBe("VALIDATION");
      expect(JSON.stringify(r.body.error.details), `${method} ${url}`).toContain(field);
    }
  });

  it("keeps preferences per person, partially updated, with every bad field named", async () => {
    expect((await as("carol", "GET", "/me/notification-preferences")).body).toEqual({
      channel: "email",
      quietDays: [],
      digest: true,
    });
    const bad: [unknown, string][] = [
      [{ channel: "sms" }, 'channel: must be "email"'],
      [{ quietDays: [0] }, "quietDays.0: is an ISO weekday"],
      [{ quietDays: [8] }, "quietDays.0: is an ISO weekday"],
      [{ quietDays: [1.5] }, "quietDays.0"],
      [{ quietDays: "monday" }, "quietDays"],
      [{ quietDays: [1, 2, 3, 4, 5, 6, 7, 1] }, "quietDays"],
      [{ digest: "yes" }, "digest"],
      [{ volume: "loud" }, "volume"],
    ];
    for (const [body, detail] of bad) {
      const r = await as("carol", "PATCH", "/me/notification-preferences", body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect((r.body.error.details as string[]).join(" | "), JSON.stringify(body)).toContain(detail);
    }
    const both = await as("carol", "PATCH", "/me/notification-preferences", { channel: "sms", digest: "no" });
    expect(both.body.error.details).toHaveLength(2);

    const saved = await as("carol", "PATCH", "/me/notification-preferences", { quietDays: [7, 6, 6] });
    expect(saved).toMatchObject({ status: 200, body: { channel: "email", quietDays: [6, 7], digest: true } });
    const more = await as("carol", "PATCH", "/me/notification-preferences", { channel: "inApp", digest: false });
    expect(more.body).toEqual({ channel: "inApp", quietDays: [6, 7], digest: false });
    expect((await as("carol", "GET", "/me/notification-preferences")).body).toEqual(more.body);
    // Someone else's are untouched.
    expect((await as("tom", "GET", "/me/notification-preferences")).body).toEqual({
      channel: "email",
      quietDays: [],
      digest: true,
    });
    // Read-only tokens may not change them.
    const readOnly = (await createTokenForEmail(api.database, "carol@example.com", { name: "ro", scope: "read" }))
      .token;
    const denied = await api.call(
      "PATCH",
      "/me/notification-preferences",
      { digest: true },
      {
        authorization: `Bearer ${readOnly}`,
      },
    );
    expect(denied.status).toBe(403);
  });

  describe("the one-click unsubscribe link", () => {
    /** POSTs to the public route with no credentials at all. */
    const unsubscribe = async (payload: unknown, query = "") => {
      const res = await api.app.inject({
        method: "POST",
        url: `/api/v1/auth/unsubscribe${query}`,
        ...(typeof payload === "string"
          ? { payload, headers: { "content-type": "application/x-www-form-urlencoded" } }
          : payload === undefined
            ? {}
            : { payload: payload as never }),
      });
      return { status: res.statusCode, body: res.json() };
    };

    it("stops every email with an email link (the app stays), the same link twice is fine", async () => {
      const token = await unsubscribeToken(api.database.db, orgId, ids.olga!, "email");
      const r = await unsubscribe({ token });
      expect(r).toEqual({
        status: 200,
        body: { unsubscribed: "email", preferences: { channel: "inApp", quietDays: [], digest: true } },
      });
      expect((await unsubscribe({ token })).status).toBe(200);
      expect((await as("olga", "GET", "/me/notification-preferences")).body.channel).toBe("inApp");
    });

    it("stops only the digest with a digest link, also as a mail client's form post (RFC 8058)", async () => {
      const token = await unsubscribeToken(api.database.db, orgId, ids.tom!, "digest");
      const r = await unsubscribe("List-Unsubscribe=One-Click", `?token=${encodeURIComponent(token)}`);
      expect(r).toEqual({
        status: 200,
        body: { unsubscribed: "digest", preferences: { channel: "email", quietDays: [], digest: false } },
      });
      expect((await as("tom", "GET", "/me/notification-preferences")).body).toEqual(r.body.preferences);
    });

    it("refuses a bad, missing or tampered token with 400 and changes nothing", async () => {
      await as("carol", "PATCH", "/me/notification-preferences", { channel: "email", digest: true });
      const good = await unsubscribeToken(api.database.db, orgId, ids.carol!, "digest");
      const [payload, signature] = good.split(".") as [string, string];
      const text = Buffer.from(payload, "base64url").toString();
      const forge = (s: string) => `${Buffer.from(s).toString("base64url")}.${signature}`;
      const attempts: unknown[] = [
        {},
        { token: "" },
        { token: 42 },
        { token: "nonsense" },
        { token: `${payload}.` },
        { token: `${payload}.${signature.slice(0, -2)}xx` },
        // Someone else's person, or the other kind of email, under Carol's signature.
        { token: forge(text.replace(ids.carol!, ids.tom!)) },
        { token: forge(text.replace(/digest$/, "email")) },
      ];
      for (const body of attempts) {
        const r = await unsubscribe(body);
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(r.body.error.code).toBe("VALIDATION");
        expect(r.body.error.details.join(" ")).toContain("token: is not an unsubscribe link Okra sent");
      }
      expect((await as("carol", "GET", "/me/notification-preferences")).body).toMatchObject({
        channel: "email",
        digest: true,
      });
      expect((await as("tom", "GET", "/me/notification-preferences")).body.channel).toBe("email");
    });
  });

  it("leaves out a notice about a private objective once the person may no longer see it", async () => {
    await as("carol", "POST", "/notifications/read", { all: true });
    const secret = await f.objective(periodId, {
      title: "Acquire Initech quietly",
      level: "individual",
      ownerIds: [ids.olga, ids.carol],
      visibility: "private",
    });
    const about = (userId: string) => ({
      userId,
      title: "Olga mentioned you",
      kind: "mention",
      objectType: "objective",
      objectId: secret.id,
      objectiveId: secret.id,
      link: `/objectives/${secret.id}`,
    });
    const saved = await send([about(ids.carol!), about(ids.tom!)]);
    // Tom never could see it: nothing was recorded for him.
    expect(saved.map((n) => n.userId)).toEqual([ids.carol]);
    expect((await as("tom", "GET", "/notifications")).body.items.some((n: Notice) => n.objectiveId === secret.id)).toBe(
      false,
    );
    await send([{ userId: ids.carol!, title: "about nothing private" }]);
    const before = (await as("carol", "GET", "/notifications?limit=2")).body;
    expect(before.unread).toBe(2);
    expect((before.items as Notice[]).map((n) => n.objectiveId)).toContain(secret.id);

    // Carol is no longer an owner: the notice leaves her centre and her unread count.
    expect((await api.call("PATCH", `/objectives/${secret.id}`, { ownerIds: [ids.olga] })).status).toBe(200);
    const after = (await as("carol", "GET", "/notifications?limit=50")).body;
    expect(after.unread).toBe(1);
    expect((after.items as Notice[]).some((n) => n.objectiveId === secret.id)).toBe(false);
    expect((after.items as Notice[])[0]?.title).toBe("about nothing private");
    // The owner keeps seeing hers, and the admin would see it, but it was never theirs to read.
    expect((await api.call("GET", "/notifications")).body.items).toEqual([]);
  });
});
