/**
 * Privacy at the edges: a private objective, its key results and its links read as if they
 * did not exist — in error messages about references (initiatives, alignments), in the
 * coach's findings and the tree's flags, and in the loop check of the alignment graph.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { type ApiHarness, factories, type Response, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

const MISSING = "00000000-0000-4000-8000-000000000000";

interface TreeNode {
  id: string;
  flags: string[];
  children: TreeNode[];
}

/** Every node of a tree, depth first. */
function nodes(list: TreeNode[]): TreeNode[] {
  return list.flatMap((n) => [n, ...nodes(n.children)]);
}

describe.each(DATABASE_KINDS)("privacy at the edges on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  let periodId: string;
  let carolToken: string;
  let carolId: string;
  let tomId: string;
  let olgaId: string;
  /** Olga's private objective and its key result: Carol may not see them. */
  let secret: { id: string; title: string };
  let secretKr: { id: string; title: string };
  /** Carol's own objective. */
  let mine: { id: string };
  /** Tom's public objective, aligned under Olga's private one. */
  let toms: { id: string };
  const asCarol = (method: string, url: string, body?: unknown) =>
    api.call(method, url, body, { authorization: `Bearer ${carolToken}` });

  /** The hidden answer, with the hidden id swapped for an unknown one, is the answer for that unknown id. */
  function expectSameAsMissing(hidden: Response, missing: Response, hiddenId: string) {
    expect(hidden.status).toBe(404);
    expect(JSON.stringify(hidden.body).replaceAll(hiddenId, MISSING)).toBe(JSON.stringify(missing.body));
  }

  /** Nothing in `res` names the secret objective, its key result or their titles (but the ids the caller sent). */
  function expectNoLeak(res: Response, sent: string[] = []) {
    const text = JSON.stringify(res.body);
    for (const s of [secret.id, secret.title, secretKr.id, secretKr.title]) {
      if (!sent.includes(s)) expect(text).not.toContain(s);
    }
  }

  beforeAll(async () => {
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12));
    f = factories(api);
    periodId = (await f.period()).id;
    olgaId = (await f.user({ name: "Olga Owner", email: "olga@example.com" })).id;
    tomId = (await f.user({ name: "Tom Teammate", email: "tom@example.com" })).id;
    carolId = (await f.user({ name: "Carol Colleague", email: "carol@example.com" })).id;
    carolToken = (await createTokenForEmail(api.database, "carol@example.com")).token;
    secret = await f.objective(periodId, {
      title: "Acquire Initech quietly",
      level: "individual",
      ownerIds: [olgaId],
      visibility: "private",
    });
    secretKr = await f.keyResult(secret.id, { title: "Initech shares bought", ownerIds: [olgaId] });
    mine = await f.objective(periodId, { title: "Carol's own", level: "individual", ownerIds: [carolId] });
    await f.keyResult(mine.id, { title: "Carol's KR", ownerIds: [carolId] });
    toms = await f.objective(periodId, { title: "Tom's public plan", level: "individual", ownerIds: [tomId] });
    await f.align("objective", toms.id, "objective", secret.id);
  });
  afterAll(() => api?.close());

  it("an initiative under a hidden key result answers as for a key result that does not exist", async () => {
    expect((await asCarol("GET", `/key-results/${secretKr.id}`)).status).toBe(404);
    const body = (keyResultId: string) => ({ title: "Side project", objectiveId: mine.id, keyResultId });
    const hidden = await asCarol("POST", "/initiatives", body(secretKr.id));
    const missing = await asCarol("POST", "/initiatives", body(MISSING));
    expect(missing.status).toBe(404);
    expectSameAsMissing(hidden, missing, secretKr.id);
    expectNoLeak(hidden, [secretKr.id]);

    const own = await asCarol("POST", "/initiatives", { title: "Own work", objectiveId: mine.id });
    expect(own.status).toBe(201);
    const moved = await asCarol("PATCH", `/initiatives/${own.body.id}`, { keyResultId: secretKr.id });
    const movedMissing = await asCarol("PATCH", `/initiatives/${own.body.id}`, { keyResultId: MISSING });
    expectSameAsMissing(moved, movedMissing, secretKr.id);
    expectNoLeak(moved, [secretKr.id]);
  });

  it("an alignment from or to a hidden node answers as for an id that does not exist, naming the id sent", async () => {
    const align = (childType: string, childId: string, parentType: string, parentId: string) =>
      asCarol("POST", "/alignments", { childType, childId, parentType, parentId });

    const krChild = await align("keyResult", secretKr.id, "objective", mine.id);
    expectSameAsMissing(krChild, await align("keyResult", MISSING, "objective", mine.id), secretKr.id);
    expect(krChild.body.error.message).toContain(secretKr.id);
    expect(JSON.stringify(krChild.body)).not.toContain(secret.id);

    const objectiveChild = await align("objective", secret.id, "objective", mine.id);
    expectSameAsMissing(objectiveChild, await align("objective", MISSING, "objective", mine.id), secret.id);

    const krParent = await align("objective", mine.id, "keyResult", secretKr.id);
    expectSameAsMissing(krParent, await align("objective", mine.id, "keyResult", MISSING), secretKr.id);
    expect(JSON.stringify(krParent.body)).not.toContain(secret.id);

    // A child Carol may not edit: a hidden parent still reads as missing, not as 403 (that would tell it exists).
    const notMineHidden = await align("objective", toms.id, "keyResult", secretKr.id);
    expectSameAsMissing(notMineHidden, await align("objective", toms.id, "keyResult", MISSING), secretKr.id);
    expect((await align("objective", toms.id, "objective", mine.id)).status).toBe(403);
  });

  it("coach and tree treat an objective aligned only under a hidden one as unaligned", async () => {
    const unalignedFor = async (as: typeof asCarol) =>
      (await as("GET", `/coach?periodId=${periodId}`)).body.items
        .filter((x: { checkId: string }) => x.checkId === "unaligned")
        .map((x: { objectId: string }) => x.objectId);
    const asAdmin = (method: string, url: string) => api.call(method, url);

    expect(await unalignedFor(asCarol)).toContain(toms.id);
    expect(await unalignedFor(asAdmin)).not.toContain(toms.id);
    const carolCoach = await asCarol("GET", `/coach?periodId=${periodId}`);
    expectNoLeak(carolCoach);

    const carolTree = await asCarol("GET", `/tree?periodId=${periodId}`);
    expectNoLeak(carolTree);
    const tomsNode = (carolTree.body.roots as TreeNode[]).find((n) => n.id === toms.id);
    expect(tomsNode?.flags).toContain("unaligned");
    const adminTree = nodes((await asAdmin("GET", `/tree?periodId=${periodId}`)).body.roots);
    const adminToms = adminTree.find((n) => n.id === toms.id);
    expect(adminToms?.flags).not.toContain("unaligned");
    // The control: an objective aligned under nothing is unaligned for everyone.
    expect(await unalignedFor(asCarol)).toContain(mine.id);
    expect(await unalignedFor(asAdmin)).toContain(mine.id);
  });

  it("a subtree and a series leave a hidden objective out: as a root, under a root, and in the counts", async () => {
    const asAdmin = (method: string, url: string) => api.call(method, url);
    const hiddenRoot = await asCarol("GET", `/tree?periodId=${periodId}&rootId=${secret.id}`);
    const missingRoot = await asCarol("GET", `/tree?periodId=${periodId}&rootId=${MISSING}`);
    expectSameAsMissing(hiddenRoot, missingRoot, secret.id);
    const adminUnder = nodes((await asAdmin("GET", `/tree?periodId=${periodId}&rootId=${secret.id}`)).body.roots);
    expect(adminUnder.map((n) => n.id)).toContain(toms.id);
    const carolSeries = (await asCarol("GET", `/series?periodId=${periodId}`)).body.points.at(-1);
    const adminSeries = (await asAdmin("GET", `/series?periodId=${periodId}`)).body.points.at(-1);
    expect(adminSeries.objectives - carolSeries.objectives).toBe(1);
  });

  it("still refuses a loop through hidden objectives, without naming them", async () => {
    expect((await api.call("PATCH", "/settings", { privateUnderPublic: true })).status).toBe(200);
    const carolsTop = await f.objective(periodId, { title: "Carol's top", level: "individual", ownerIds: [carolId] });
    const hiddenMiddle = await f.objective(periodId, {
      title: "Project Nightingale",
      level: "individual",
      ownerIds: [olgaId],
      visibility: "private",
    });
    const hiddenKr = await f.keyResult(hiddenMiddle.id, { title: "Nightingale milestone", ownerIds: [olgaId] });
    const tomsLow = await f.objective(periodId, { title: "Tom's low", level: "individual", ownerIds: [tomId] });
    // Carol's top ← hidden middle (through its KR) ← Tom's low.
    await f.align("objective", hiddenMiddle.id, "objective", carolsTop.id);
    await f.align("objective", tomsLow.id, "keyResult", hiddenKr.id);

    const before = (await api.call("GET", "/alignments?limit=500")).body.items.length;
    const loop = await asCarol("POST", "/alignments", {
      childType: "objective",
      childId: carolsTop.id,
      parentType: "objective",
      parentId: tomsLow.id,
    });
    expect(loop.status).toBe(409);
    expect(loop.body.error.code).toBe("ALIGNMENT_CYCLE");
    expect(loop.body.error.message).toContain("objectives you cannot see");
    const text = JSON.stringify(loop.body);
    for (const s of [hiddenMiddle.id, hiddenMiddle.title, hiddenKr.id, hiddenKr.title]) expect(text).not.toContain(s);
    // The visible ends of the loop are named; the hidden stretch is one redacted step.
    expect(loop.body.error.details.path).toEqual([
      { type: "objective", id: tomsLow.id },
      { type: "hidden" },
      { type: "objective", id: carolsTop.id },
    ]);
    expect((await api.call("GET", "/alignments?limit=500")).body.items.length).toBe(before);

    // An admin sees the whole loop.
    const adminLoop = await api.call("POST", "/alignments", {
      childType: "objective",
      childId: carolsTop.id,
      parentType: "objective",
      parentId: tomsLow.id,
    });
    expect(adminLoop.status).toBe(409);
    expect(adminLoop.body.error.message).not.toContain("cannot see");
    expect(adminLoop.body.error.details.path).toEqual([
      { type: "objective", id: tomsLow.id },
      { type: "keyResult", id: hiddenKr.id },
      { type: "objective", id: hiddenMiddle.id },
      { type: "objective", id: carolsTop.id },
    ]);
  });
});
