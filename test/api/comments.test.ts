/**
 * Comments, mentions, reactions and following (#12, collaboration), over HTTP against a real
 * database, with a real SMTP server receiving the notice emails: every route with its 400, 403,
 * 404 and 409 paths; mentions notify only those who may see the objective (in the app and by
 * email); followers — owners, commenters, explicit — hear of check-ins and changes, and an
 * owner who stopped following does not.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { audienceOf } from "../../src/services/live.service.js";
import { type ApiHarness, factories, orgIdOf, servicesOf, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";
import { startSmtp, type TestSmtp } from "../support/smtp.js";

const NOW = Date.UTC(2026, 1, 15, 12);

describe.each(DATABASE_KINDS)("comments, mentions, reactions and following on %s", (kind) => {
  let api: ApiHarness;
  let smtp: TestSmtp;
  const id = {} as Record<
    "admin" | "olga" | "mo" | "oscar" | "team" | "period" | "pub" | "priv" | "kr" | "privKr",
    string
  >;
  const token = {} as Record<"olga" | "mo" | "oscar", string>;

  /** A call as one of the people (the bootstrap admin when `who` is omitted). */
  const as = (who: keyof typeof token | null, method: string, url: string, body?: unknown) =>
    api.call(method, url, body, who ? { authorization: `Bearer ${token[who]}` } : {});
  const comment = async (who: keyof typeof token | null, objectType: string, objectId: string, body: string) => {
    const r = await as(who, "POST", "/comments", { objectType, objectId, body });
    if (r.status !== 201) throw new Error(`comment answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const mention = (person: "olga" | "mo" | "admin" | "oscar", name: string = person) => `@[${name}](${id[person]})`;
  /** The notices one person has (newest first). */
  const noticesOf = async (who: keyof typeof token | null) => {
    const r = await as(who, "GET", "/notifications?limit=100");
    expect(r.status).toBe(200);
    return r.body.items as { kind: string; title: string; link: string; objectId: string; body: string }[];
  };
  /** Rows in the notifications table for a person, whatever the centre would show. */
  const noticeRows = async (userId: string) => {
    const r = await api.database.db.execute(sql`select kind from notifications where user_id = ${userId}`);
    return ((r as unknown as { rows?: unknown[] }).rows ?? r) as { kind: string }[];
  };

  /** Waits for an email to `to` whose subject or text contains `text`. */
  const mailTo = async (to: string, text: string) => {
    for (let waited = 0; waited < 5000; waited += 25) {
      const found = smtp.inbox.find((m) => m.to === to && (m.subject.includes(text) || m.text.includes(text)));
      if (found) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no mail to ${to} about ${text}`);
  };

  beforeAll(async () => {
    smtp = await startSmtp();
    api = await startApi(kind, NOW, { mailer: smtp.mailer, publicUrl: "https://okr.test" });
    const f = factories(api);
    id.admin = (await api.call("GET", "/me")).body.user.id;
    id.olga = (await f.user({ name: "Olga Owner", email: "olga@okr.test" })).id;
    id.mo = (await f.user({ name: "Mo Member", email: "mo@okr.test" })).id;
    id.oscar = (await f.user({ name: "Oscar Observer", email: "oscar@okr.test", role: "observer" })).id;
    id.team = (await f.team({ name: "Growth", memberIds: [id.olga, id.mo] })).id;
    id.period = (await f.period()).id;
    const pub = await f.objective(id.period, { title: "Grow the community", ownerIds: [id.olga] });
    id.pub = pub.id;
    id.kr = (await f.keyResult(pub.id, { title: "Weekly active members", ownerIds: [id.olga] })).id;
    const priv = await f.objective(id.period, {
      title: "Quiet acquisition",
      level: "team",
      teamId: id.team,
      ownerIds: [id.olga],
      visibility: "private",
    });
    id.priv = priv.id;
    id.privKr = (await f.keyResult(priv.id, { title: "Secret metric", ownerIds: [id.olga] })).id;
    for (const who of ["olga", "mo", "oscar"] as const) {
      token[who] = (await createTokenForEmail(api.database, `${who}@okr.test`)).token;
    }
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await smtp?.close();
  });

  describe("commenting", () => {
    it("adds a comment with its author, mentions and what the caller may do, audited", async () => {
      const c = await comment("mo", "objective", id.pub, `Nice start ${mention("olga", "Olga")}!`);
      expect(c).toMatchObject({
        objectType: "objective",
        objectId: id.pub,
        objectiveId: id.pub,
        author: { id: id.mo, name: "Mo Member" },
        body: `Nice start @[Olga](${id.olga})!`,
        mentions: [{ id: id.olga, name: "Olga Owner" }],
        reactions: [],
        editedAt: null,
        version: 1,
        canEdit: true,
        canDelete: true,
      });
      const audit = await api.call("GET", `/audit?objectType=comment&objectId=${c.id}`);
      expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(["comment.created"]);
    });

    it("tells the mentioned person in the app and by email, with a link to the comment", async () => {
      const c = await comment("mo", "objective", id.pub, `${mention("olga")} can you check the numbers?`);
      const mine = (await noticesOf("olga")).find((n) => n.objectId === c.id);
      expect(mine).toMatchObject({
        kind: "mention",
        title: 'Mo Member mentioned you on "Grow the community"',
        link: `/objectives/${id.pub}#comment-${c.id}`,
        body: "@Olga Owner can you check the numbers?",
      });
      const mail = await mailTo("olga@okr.test", `#comment-${c.id}`);
      expect(mail.subject).toBe('Mo Member mentioned you on "Grow the community"');
      expect(mail.text).toContain(`https://okr.test/objectives/${id.pub}#comment-${c.id}`);
    });

    it("tells the objective's other followers with a comment notice, never the author", async () => {
      // Olga owns the objective: she follows it. The admin neither owns it nor commented.
      const c = await comment("mo", "objective", id.pub, "Second thoughts on the target");
      expect((await noticesOf("olga")).find((n) => n.objectId === c.id)).toMatchObject({
        kind: "comment",
        title: 'Mo Member commented on "Grow the community"',
      });
      expect((await noticesOf(null)).some((n) => n.objectId === c.id)).toBe(false);
      expect((await noticesOf("mo")).some((n) => n.objectId === c.id)).toBe(false);
    });

    it("comments on key results and check-ins, linking to their page", async () => {
      const onKr = await comment("mo", "keyResult", id.kr, `KR question for ${mention("olga")}`);
      expect(onKr).toMatchObject({ objectType: "keyResult", objectId: id.kr, objectiveId: id.pub });
      expect((await noticesOf("olga")).find((n) => n.objectId === onKr.id)?.link).toBe(
        `/key-results/${id.kr}#comment-${onKr.id}`,
      );
      const ci = await as("olga", "POST", `/key-results/${id.kr}/check-ins`, { value: 20 });
      expect(ci.status).toBe(201);
      const onCi = await comment(null, "checkIn", ci.body.id, `Why the jump, ${mention("olga")}?`);
      expect(onCi).toMatchObject({ objectType: "checkIn", objectId: ci.body.id, objectiveId: id.pub });
      expect((await noticesOf("olga")).find((n) => n.objectId === onCi.id)).toMatchObject({
        title: 'Ada Admin mentioned you on a check-in on "Weekly active members"',
        link: `/key-results/${id.kr}#check-in-${ci.body.id}`,
      });
      const list = await api.call("GET", `/comments?objectType=checkIn&objectId=${ci.body.id}`);
      expect(list.body.items.map((x: { id: string }) => x.id)).toEqual([onCi.id]);
    });

    it("refuses bad input with 400 and every problem as path: message", async () => {
      const bad = async (body: unknown, ...expected: RegExp[]) => {
        const r = await as("mo", "POST", "/comments", body);
        expect(r.status, JSON.stringify(r.body)).toBe(400);
        expect(r.body.error.code).toBe("VALIDATION");
        for (const e of expected)
          expect(r.body.error.details).toEqual(expect.arrayContaining([expect.stringMatching(e)]));
      };
      await bad({ objectId: id.pub, body: "x" }, /^objectType: /);
      await bad(
        { objectType: "period", objectId: id.pub, body: "x" },
        /^objectType: must be "objective", "keyResult" or "checkIn"/,
      );
      await bad({ objectType: "objective", objectId: id.pub, body: "   " }, /^body: must not be empty/);
      await bad(
        { objectType: "objective", objectId: id.pub, body: "x".repeat(10_001) },
        /^body: must be at most 10000/,
      );
      await bad({ objectType: "objective", objectId: id.pub, body: "a\u202Eb" }, /^body: /);
      await bad({ objectType: "objective", objectId: id.pub, body: "x", extra: 1 }, /extra/);
      const many = Array.from(
        { length: 21 },
        (_, i) => `@[P${i}](00000000-0000-4000-8000-${String(i).padStart(12, "0")})`,
      );
      await bad({ objectType: "objective", objectId: id.pub, body: many.join(" ") }, /^body: mentions 21 people/);
    });

    it("answers 404 for an object or a mentioned person that does not exist, and 403 to observers", async () => {
      const missing = "00000000-0000-4000-8000-000000000000";
      const noObject = await as("mo", "POST", "/comments", { objectType: "keyResult", objectId: missing, body: "x" });
      expect(noObject.status).toBe(404);
      expect(noObject.body.error.details).toEqual([
        `objectId: no key result with id "${missing}" exists in this organisation`,
      ]);
      const noPerson = await as("mo", "POST", "/comments", {
        objectType: "objective",
        objectId: id.pub,
        body: `hi @[Ghost](${missing})`,
      });
      expect(noPerson.status).toBe(404);
      expect(noPerson.body.error.message).toMatch(/^body: no person to mention/);
      const observer = await as("oscar", "POST", "/comments", { objectType: "objective", objectId: id.pub, body: "x" });
      expect(observer.status).toBe(403);
      // Observers read the thread all the same.
      expect((await as("oscar", "GET", `/comments?objectType=objective&objectId=${id.pub}`)).status).toBe(200);
    });
  });

  describe("a private objective", () => {
    it("is 404 to those who may not see it: list, comment, edit, react, follow", async () => {
      const c = await comment("olga", "objective", id.priv, "Only for us");
      const r = [
        await as("mo", "GET", `/comments?objectType=objective&objectId=${id.priv}`),
        await as("mo", "GET", `/comments?objectType=keyResult&objectId=${id.privKr}`),
        await as("mo", "POST", "/comments", { objectType: "objective", objectId: id.priv, body: "Let me in" }),
        await as("mo", "PATCH", `/comments/${c.id}`, { body: "changed" }),
        await as("mo", "DELETE", `/comments/${c.id}`),
        await as("mo", "PUT", `/comments/${c.id}/reactions/${encodeURIComponent("👍")}`),
        await as("mo", "GET", `/objectives/${id.priv}/following`),
        await as("mo", "PUT", `/objectives/${id.priv}/following`),
      ];
      expect(r.map((x) => x.status)).toEqual([404, 404, 404, 404, 404, 404, 404, 404]);
      for (const x of r) expect(JSON.stringify(x.body)).not.toContain("Quiet acquisition");
    });

    it("mentions someone who may not see it: neither notified in the app nor by email", async () => {
      // The admin may see it and is mentioned too: their email arriving shows the outbox was sent.
      const c = await comment("olga", "objective", id.priv, `${mention("mo")} and ${mention("admin")}, look`);
      expect(c.mentions.map((m: { id: string }) => m.id)).toEqual([id.mo, id.admin]);
      await mailTo("admin@example.com", `#comment-${c.id}`);
      expect((await noticeRows(id.mo)).filter((n) => n.kind === "mention")).toEqual([]);
      expect((await noticesOf("mo")).some((n) => n.objectId === c.id)).toBe(false);
      const about = smtp.inbox.filter((m) => m.text.includes(c.id) || m.subject.includes("Quiet acquisition"));
      expect(about.map((m) => m.to)).toEqual(["admin@example.com"]);
      expect((await noticesOf(null)).filter((n) => n.objectId === c.id).map((n) => n.kind)).toEqual(["mention"]);
    });

    it("sends live events of its comments only to those who may see it", async () => {
      const c = await comment("olga", "objective", id.priv, "Live or not");
      const orgId = await orgIdOf(api);
      const audience = await audienceOf(servicesOf(api), {
        orgId,
        type: "comment.created",
        objectType: "comment",
        objectId: c.id,
        actorId: id.olga,
      });
      expect(audience({ userId: id.olga, role: "member", orgId })).toBe(true);
      expect(audience({ userId: id.admin, role: "owner", orgId })).toBe(true);
      expect(audience({ userId: id.mo, role: "member", orgId })).toBe(false);
      const pub = await comment("mo", "objective", id.pub, "Everyone may know");
      const open = await audienceOf(servicesOf(api), {
        ...{ orgId, actorId: id.mo },
        type: "comment.created",
        objectType: "comment",
        objectId: pub.id,
      });
      expect(open({ userId: id.oscar, role: "observer", orgId })).toBe(true);
    });
  });

  describe("reading a thread", () => {
    it("pages oldest first with a keyset cursor, without deleted comments", async () => {
      const o = await factories(api).objective(id.period, { title: "Threaded", ownerIds: [id.olga] });
      const made = [];
      for (let i = 0; i < 5; i++) {
        api.clock.now = NOW + i * 1000;
        made.push(await comment("mo", "objective", o.id, `Comment ${i}`));
      }
      api.clock.now = NOW;
      expect((await as("mo", "DELETE", `/comments/${made[2].id}`)).status).toBe(204);
      const first = await as("olga", "GET", `/comments?objectType=objective&objectId=${o.id}&limit=2`);
      expect(first.status).toBe(200);
      expect(first.body.items.map((c: { body: string }) => c.body)).toEqual(["Comment 0", "Comment 1"]);
      // Olga may not edit or delete Mo's comments.
      expect(first.body.items[0]).toMatchObject({ canEdit: false, canDelete: false });
      const second = await as(
        "olga",
        "GET",
        `/comments?objectType=objective&objectId=${o.id}&limit=2&cursor=${first.body.nextCursor}`,
      );
      expect(second.body.items.map((c: { body: string }) => c.body)).toEqual(["Comment 3", "Comment 4"]);
      expect(second.body.nextCursor).toBeNull();
      // The admin may delete anyone's comment, not edit it.
      const asAdmin = await api.call("GET", `/comments?objectType=objective&objectId=${o.id}&limit=1`);
      expect(asAdmin.body.items[0]).toMatchObject({ canEdit: false, canDelete: true });
    });

    it("refuses a bad query or a cursor of another thread with 400, and an unknown object with 404", async () => {
      const missingType = await api.call("GET", `/comments?objectId=${id.pub}`);
      expect(missingType.status).toBe(400);
      expect(missingType.body.error.details).toEqual(expect.arrayContaining([expect.stringMatching(/^objectType: /)]));
      const page = await api.call("GET", `/comments?objectType=objective&objectId=${id.pub}&limit=1`);
      expect(page.body.nextCursor).toBeTruthy();
      const elsewhere = await api.call(
        "GET",
        `/comments?objectType=keyResult&objectId=${id.kr}&cursor=${page.body.nextCursor}`,
      );
      expect(elsewhere.status).toBe(400);
      expect((await api.call("GET", "/comments?objectType=objective&objectId=garbage&cursor=x")).status).toBe(404);
      expect((await api.call("GET", `/comments?objectType=objective&objectId=${id.pub}&cursor=garbage`)).status).toBe(
        400,
      );
    });
  });

  describe("editing and deleting", () => {
    it("lets the author edit, keeps editedAt, and notifies only the newly mentioned", async () => {
      const c = await comment("mo", "objective", id.pub, `First draft for ${mention("olga")}`);
      const olgaBefore = (await noticesOf("olga")).filter((n) => n.objectId === c.id).length;
      api.clock.now = NOW + 60_000;
      const r = await as("mo", "PATCH", `/comments/${c.id}`, {
        body: `Second draft for ${mention("olga")} and ${mention("admin", "Ada")}`,
        version: 1,
      });
      api.clock.now = NOW;
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ version: 2, editedAt: new Date(NOW + 60_000).toISOString() });
      expect(r.body.mentions.map((m: { name: string }) => m.name)).toEqual(["Olga Owner", "Ada Admin"]);
      expect((await noticesOf("olga")).filter((n) => n.objectId === c.id)).toHaveLength(olgaBefore);
      expect((await noticesOf(null)).filter((n) => n.objectId === c.id && n.kind === "mention")).toHaveLength(1);
      const audit = await api.call("GET", `/audit?objectType=comment&objectId=${c.id}`);
      expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(
        expect.arrayContaining(["comment.created", "comment.updated"]),
      );
    });

    it("answers 409 for a stale version, 403 to others, 400 for an empty body", async () => {
      const c = await comment("mo", "objective", id.pub, "Original");
      expect((await as("mo", "PATCH", `/comments/${c.id}`, { body: "v2", version: 1 })).status).toBe(200);
      const stale = await as("mo", "PATCH", `/comments/${c.id}`, { body: "v3", version: 1 });
      expect(stale.status).toBe(409);
      expect(stale.body.error.code).toBe("VERSION_CONFLICT");
      expect(stale.body.error.details.current).toMatchObject({ body: "v2", version: 2 });
      expect((await as("olga", "PATCH", `/comments/${c.id}`, { body: "hijack" })).status).toBe(403);
      expect((await api.call("PATCH", `/comments/${c.id}`, { body: "admins do not edit words" })).status).toBe(403);
      expect((await as("oscar", "PATCH", `/comments/${c.id}`, { body: "x" })).status).toBe(403);
      expect((await as("mo", "PATCH", `/comments/${c.id}`, { body: "" })).status).toBe(400);
      expect((await as("mo", "PATCH", "/comments/00000000-0000-4000-8000-000000000000", { body: "x" })).status).toBe(
        404,
      );
    });

    it("lets the author or an admin delete (soft), nobody else", async () => {
      const c = await comment("mo", "objective", id.pub, "Delete me");
      expect((await as("olga", "DELETE", `/comments/${c.id}`)).status).toBe(403);
      expect((await as("oscar", "DELETE", `/comments/${c.id}`)).status).toBe(403);
      expect((await api.call("DELETE", `/comments/${c.id}`)).status).toBe(204);
      expect((await api.call("DELETE", `/comments/${c.id}`)).status).toBe(404);
      expect((await as("mo", "PATCH", `/comments/${c.id}`, { body: "back?" })).status).toBe(404);
      const r = await api.database.db.execute(sql`select deleted_at from comments where id = ${c.id}`);
      const rows = ((r as unknown as { rows?: unknown[] }).rows ?? r) as { deleted_at: unknown }[];
      expect(rows[0]?.deleted_at).toBeTruthy();
      const own = await comment("mo", "objective", id.pub, "Mine to delete");
      expect((await as("mo", "DELETE", `/comments/${own.id}`)).status).toBe(204);
    });
  });

  describe("reactions", () => {
    const enc = encodeURIComponent;
    it("adds and takes away reactions, grouped by emoji with the caller's own marked", async () => {
      const c = await comment("olga", "objective", id.pub, "React to me");
      const thumbs = `/comments/${c.id}/reactions/${enc("👍")}`;
      expect((await as("mo", "PUT", thumbs)).body.reactions).toEqual([{ emoji: "👍", count: 1, mine: true }]);
      expect((await as("mo", "PUT", thumbs)).body.reactions).toEqual([{ emoji: "👍", count: 1, mine: true }]);
      expect((await as("olga", "PUT", thumbs)).body.reactions).toEqual([{ emoji: "👍", count: 2, mine: true }]);
      // A heart without its emoji selector is the heart.
      const heart = await as("mo", "PUT", `/comments/${c.id}/reactions/${enc("❤")}`);
      expect(heart.status).toBe(200);
      expect(heart.body.reactions).toEqual([
        { emoji: "👍", count: 2, mine: true },
        { emoji: "❤️", count: 1, mine: true },
      ]);
      const removed = await as("mo", "DELETE", thumbs);
      expect(removed.status).toBe(200);
      expect(removed.body.reactions).toEqual([
        { emoji: "👍", count: 1, mine: false },
        { emoji: "❤️", count: 1, mine: true },
      ]);
      expect((await as("mo", "DELETE", thumbs)).status).toBe(200);
      const list = await as("olga", "GET", `/comments?objectType=objective&objectId=${id.pub}&limit=100`);
      expect(list.body.items.find((x: { id: string }) => x.id === c.id).reactions).toEqual([
        { emoji: "👍", count: 1, mine: true },
        { emoji: "❤️", count: 1, mine: false },
      ]);
    });

    it("refuses other emoji with 400, observers with 403, unknown comments with 404", async () => {
      const c = await comment("olga", "objective", id.pub, "Only some emoji");
      const bad = await as("mo", "PUT", `/comments/${c.id}/reactions/${enc("💩")}`);
      expect(bad.status).toBe(400);
      expect(bad.body.error.details).toEqual(["emoji: must be one of 👍 🎉 ❤️ 👀 🚀 🙏 (URL-encoded in the path)"]);
      expect((await as("mo", "PUT", `/comments/${c.id}/reactions/thumbsup`)).status).toBe(400);
      expect((await as("oscar", "PUT", `/comments/${c.id}/reactions/${enc("👍")}`)).status).toBe(403);
      expect(
        (await as("mo", "PUT", `/comments/00000000-0000-4000-8000-000000000000/reactions/${enc("👍")}`)).status,
      ).toBe(404);
    });
  });

  describe("following", () => {
    it("says who follows and why: owner, commenter, explicit; stops and starts again", async () => {
      const o = await factories(api).objective(id.period, { title: "Followed", ownerIds: [id.olga] });
      const state = async (who: keyof typeof token | null) =>
        (await as(who, "GET", `/objectives/${o.id}/following`)).body;
      expect(await state("olga")).toEqual({ following: true, reason: "owner" });
      expect(await state("mo")).toEqual({ following: false, reason: null });
      await comment("mo", "objective", o.id, "I am in");
      expect(await state("mo")).toEqual({ following: true, reason: "commenter" });
      // Observers may follow: it changes only what reaches them.
      expect((await as("oscar", "PUT", `/objectives/${o.id}/following`)).body).toEqual({
        following: true,
        reason: "explicit",
      });
      expect((await as("olga", "DELETE", `/objectives/${o.id}/following`)).body).toEqual({
        following: false,
        reason: null,
      });
      expect(await state("olga")).toEqual({ following: false, reason: null });
      expect((await as("olga", "PUT", `/objectives/${o.id}/following`)).body).toEqual({
        following: true,
        reason: "owner",
      });
      const audit = await api.call("GET", `/audit?objectType=follow&objectId=${o.id}`);
      const actions = audit.body.items.map((e: { action: string }) => e.action);
      expect(actions).toEqual(expect.arrayContaining(["follow.started", "follow.stopped"]));
      expect((await as("mo", "GET", "/objectives/00000000-0000-4000-8000-000000000000/following")).status).toBe(404);
    });

    it("sends followers a change notice on a check-in; an owner who stopped following gets none", async () => {
      const f = factories(api);
      const o = await f.objective(id.period, { title: "Watched", ownerIds: [id.olga, id.admin] });
      const kr = await f.keyResult(o.id, { title: "Signups", ownerIds: [id.olga], unit: "percent" });
      await comment("mo", "keyResult", kr.id, "Following along");
      await as("oscar", "PUT", `/objectives/${o.id}/following`);
      expect((await api.call("DELETE", `/objectives/${o.id}/following`)).status).toBe(200);
      const ci = await as("olga", "POST", `/key-results/${kr.id}/check-ins`, { value: 40, note: "Good week" });
      expect(ci.status).toBe(201);
      const expected = {
        kind: "change",
        title: 'New check-in on "Signups": 40 %',
        body: "Good week",
        link: `/key-results/${kr.id}`,
        objectId: ci.body.id,
      };
      expect((await noticesOf("mo")).find((n) => n.objectId === ci.body.id)).toMatchObject(expected);
      expect((await noticesOf("oscar")).find((n) => n.objectId === ci.body.id)).toMatchObject(expected);
      // The admin owns it but stopped following; Olga made the check-in herself.
      expect((await noticesOf(null)).some((n) => n.objectId === ci.body.id)).toBe(false);
      expect((await noticesOf("olga")).some((n) => n.objectId === ci.body.id)).toBe(false);
    });

    it("sends no check-in notice to a follower who may no longer see the objective once it is private", async () => {
      const f = factories(api);
      const o = await f.objective(id.period, { title: "Quietly watched", ownerIds: [id.olga] });
      const kr = await f.keyResult(o.id, { title: "Leads", ownerIds: [id.olga] });
      await comment("mo", "objective", o.id, "Following this one");
      expect((await api.call("PUT", `/objectives/${o.id}/following`)).status).toBe(200);
      expect((await api.call("PATCH", `/objectives/${o.id}`, { visibility: "private" })).status).toBe(200);
      expect((await as("mo", "GET", `/objectives/${o.id}`)).status).toBe(404);
      const ci = await as("olga", "POST", `/key-results/${kr.id}/check-ins`, { value: 12 });
      expect(ci.status).toBe(201);
      const stored = async (userId: string) => {
        const r = await api.database.db.execute(
          sql`select count(*)::int as n from notifications where user_id = ${userId} and object_id = ${ci.body.id}`,
        );
        return Number(((r as unknown as { rows?: { n: number }[] }).rows ?? (r as unknown as { n: number }[]))[0]!.n);
      };
      // Not written at all for Mo (the list would hide it anyway); the admin, who may see it, has it.
      expect(await stored(id.mo!)).toBe(0);
      expect(await stored(id.admin!)).toBe(1);
    });

    it("sends a change notice for a title, a target, a close; none for a description", async () => {
      const f = factories(api);
      const o = await f.objective(id.period, { title: "Changing", ownerIds: [id.olga] });
      const kr = await f.keyResult(o.id, { title: "Revenue", ownerIds: [id.olga] });
      const moChanges = async () =>
        (await noticesOf("mo")).filter((n) => n.kind === "change" && (n.link.includes(o.id) || n.link.includes(kr.id)));
      await as("mo", "PUT", `/objectives/${o.id}/following`);
      expect((await api.call("PATCH", `/objectives/${o.id}`, { description: "More words" })).status).toBe(200);
      expect(await moChanges()).toEqual([]);
      expect((await api.call("PATCH", `/objectives/${o.id}`, { title: "Changed" })).status).toBe(200);
      expect((await moChanges()).map((n) => n.title)).toEqual(['"Changed" changed: title']);
      expect((await api.call("PATCH", `/key-results/${kr.id}`, { target: 200 })).status).toBe(200);
      expect((await moChanges())[0]?.title).toBe('"Revenue" (a key result of "Changed") changed: target');
      expect((await api.call("POST", `/objectives/${o.id}/close`, { score: 0.7 })).status).toBe(200);
      expect((await moChanges())[0]?.title).toBe('"Changed" was closed with a score of 0.7');
      expect((await noticesOf("olga")).filter((n) => n.link === `/objectives/${o.id}`).map((n) => n.title)).toEqual([
        '"Changed" was closed with a score of 0.7',
        '"Changed" changed: title',
      ]);
    });
  });
});
