/**
 * The fix page's one state, from stored facts only (app/dashboard/fix-state.ts):
 * each state, and the contradictions the issue saw (a verified badge above
 * "still wrong", apply offered after a verified fix or while a sync runs).
 */
import { describe, expect, it } from "vitest";
import { deriveFixState, lastRunOf, sameResource, type FixFacts, type ResourceFinding } from "~/dashboard/fix-state";
import type { ActivityEntry, ActivityEvent, ActivityStatus, FixPlan, ResourceRef } from "~/fixes/types";

const DATA_SOURCE: ResourceRef = {
  type: "data-source",
  accountId: "111122223333",
  region: "us-east-1",
  applicationId: "app-1",
  indexId: "index-1",
  dataSourceId: "ds-1",
};

function entry(
  id: number,
  events: { status: ActivityStatus; message?: string; data?: Record<string, unknown> }[],
  extra: Partial<ActivityEntry> = {},
): ActivityEntry {
  const shown: ActivityEvent[] = [
    { at: "2026-12-01T10:00:00.000Z", status: "running", message: "started", requestIds: [] },
    ...events.map((e, i) => ({ at: `2026-12-01T10:0${i + 1}:00.000Z`, status: e.status, message: e.message ?? e.status, requestIds: [], data: e.data })),
  ];
  const last = shown[shown.length - 1];
  return {
    id,
    action: "full-sync",
    actor: "user:olivia",
    startedAt: shown[0].at,
    status: last.status,
    message: last.message,
    resources: [DATA_SOURCE],
    plan: {} as FixPlan,
    requestIds: [],
    events: shown,
    ...extra,
  };
}

const failing = (checkId = "datasource-full-sync-missing"): ResourceFinding => ({
  id: 7,
  checkId,
  checkTitle: checkId,
  status: "fail",
  message: "no full sync",
});
const passing = (checkId = "datasource-full-sync-missing"): ResourceFinding => ({ id: 8, checkId, checkTitle: checkId, status: "pass", message: "ok" });

function facts(over: Partial<FixFacts>): FixFacts {
  return {
    action: "full-sync",
    plan: { status: "ready", summary: "Will switch the mode to full and sync." },
    activity: [],
    trackedSyncs: [],
    findings: [failing()],
    auditedAfterRun: false,
    ...over,
  };
}

describe("deriveFixState", () => {
  it("offers the plan when nothing ran and the finding fails", () => {
    const state = deriveFixState(facts({}));
    expect(state).toMatchObject({ kind: "ready", headline: "Ready to apply", offerApply: true, run: null });
    expect(state.stillWrong.map((f) => f.checkId)).toEqual(["datasource-full-sync-missing"]);
  });

  it("says nothing to do when the latest audit's findings of the resource pass, although the plan could run", () => {
    const state = deriveFixState(facts({ findings: [passing(), passing("datasource-documents-stale")] }));
    expect(state).toMatchObject({ kind: "nothing-to-do", offerApply: false, stillWrong: [] });
  });

  it("says nothing to do when the plan says so (the role already has the grant)", () => {
    const state = deriveFixState(facts({ action: "patch-role-policy", plan: { status: "nothing-to-do", summary: "Nothing to do for role R" }, findings: [] }));
    expect(state).toMatchObject({ kind: "nothing-to-do", detail: "Nothing to do for role R", offerApply: false });
  });

  it("is in progress while the run's sync is followed, and offers no second apply", () => {
    const started = entry(3, [{ status: "started", message: "Sync job exec-1 started" }]);
    const state = deriveFixState(facts({ activity: [started], trackedSyncs: [{ state: "following", activityId: 3 }] }));
    expect(state).toMatchObject({ kind: "in-progress", offerApply: false });
    expect(state.run?.activityId).toBe(3);
    // Restoring the mode is still part of the run.
    const restoring = deriveFixState(facts({ activity: [entry(3, [{ status: "succeeded" }])], trackedSyncs: [{ state: "restoring", activityId: 3 }] }));
    expect(restoring.kind).toBe("in-progress");
  });

  it("is verified fixed only once the audit after the run passes, and keeps the run's result", () => {
    const reaudit = { auditId: 4, readiness: { "app-1": "ready" }, stillWrong: [] };
    const done = entry(3, [
      { status: "started" },
      { status: "succeeded", message: "Full sync exec-1 succeeded", data: { done: ["sync exec-1 ended: SUCCEEDED"], notDone: [], reaudit } },
    ]);
    const state = deriveFixState(facts({ activity: [done], trackedSyncs: [{ state: "done", activityId: 3 }], findings: [passing()], auditedAfterRun: true }));
    expect(state).toMatchObject({ kind: "verified-fixed", headline: "Verified fixed", offerApply: false });
    expect(state.run).toMatchObject({ activityId: 3, status: "succeeded", done: ["sync exec-1 ended: SUCCEEDED"], reaudit });
    // The same run before any audit read the resource again: not verified.
    const unaudited = deriveFixState(facts({ activity: [done], findings: [failing()], auditedAfterRun: false }));
    expect(unaudited).toMatchObject({ kind: "unverified", offerApply: false });
  });

  it("is partly fixed when the run did something but the audit after it still finds the resource wrong; the rest is offered", () => {
    const partial = entry(
      5,
      [
        {
          status: "partial",
          message: "1 of 2 uploaded",
          data: { done: ["uploaded a.pdf"], notDone: [], files: [{ documentId: "a.pdf", file: "a.pdf", outcome: "uploaded" }] },
        },
      ],
      {
        action: "reupload-files",
      },
    );
    const state = deriveFixState(
      facts({ action: "reupload-files", activity: [partial], findings: [failing("uploaded-documents-stale")], auditedAfterRun: true }),
    );
    expect(state).toMatchObject({ kind: "partly-fixed", headline: "Partly fixed", offerApply: true });
    expect(state.stillWrong).toHaveLength(1);
    expect(state.run?.files).toEqual([{ documentId: "a.pdf", file: "a.pdf", outcome: "uploaded" }]);
    // A succeeded run the audit still finds wrong is partly fixed too: never "verified" over "still wrong".
    const succeeded = deriveFixState(facts({ activity: [entry(6, [{ status: "succeeded" }])], findings: [failing()], auditedAfterRun: true }));
    expect(succeeded.kind).toBe("partly-fixed");
  });

  it("is failed when the run failed and the resource is still wrong, with apply offered again", () => {
    const failed = entry(9, [{ status: "failed", message: "Full sync exec-2 ended FAILED." }]);
    const state = deriveFixState(facts({ activity: [failed], findings: [failing()], auditedAfterRun: true }));
    expect(state).toMatchObject({ kind: "failed", detail: "Full sync exec-2 ended FAILED.", offerApply: true });
    const refusedNow = deriveFixState(facts({ plan: { status: "unavailable", summary: "denied" }, activity: [failed], auditedAfterRun: true }));
    expect(refusedNow.offerApply).toBe(false);
  });

  it("treats a rolled-back patch as history: the plan decides again, the undone run is shown as previous", () => {
    const patched = entry(10, [{ status: "succeeded" }], { action: "patch-role-policy", rolledBackBy: 11, status: "rolled-back" });
    const state = deriveFixState(
      facts({ action: "patch-role-policy", activity: [patched], findings: [failing("webexperience-role-getdocumentcontent")], auditedAfterRun: true }),
    );
    expect(state).toMatchObject({ kind: "ready", offerApply: true });
    expect(state.run?.rolledBackBy).toBe(11);
  });

  it("passes refused and unavailable plans through when nothing ran", () => {
    expect(deriveFixState(facts({ plan: { status: "refused", summary: "boundary" } }))).toMatchObject({ kind: "refused", offerApply: false });
    expect(deriveFixState(facts({ plan: { status: "unavailable", summary: "denied" } }))).toMatchObject({ kind: "unavailable", offerApply: false });
  });
});

describe("lastRunOf and sameResource", () => {
  it("reads the verification of a background sync's last event", () => {
    const verification = { ok: false, message: "2 documents still stale" };
    const run = lastRunOf(entry(2, [{ status: "started" }, { status: "partial", data: { done: ["a"], notDone: ["b"], verification } }]));
    expect(run).toMatchObject({ status: "partial", done: ["a"], notDone: ["b"], verification });
  });

  it("matches resources by identity, not by name", () => {
    expect(sameResource(DATA_SOURCE, { ...DATA_SOURCE, name: "hr docs" })).toBe(true);
    expect(sameResource(DATA_SOURCE, { ...DATA_SOURCE, dataSourceId: "ds-2" })).toBe(false);
    const role: ResourceRef = { type: "role", accountId: "111122223333", roleArn: "arn:aws:iam::111122223333:role/A" };
    expect(sameResource(role, { ...role, region: "us-east-1", name: "A" })).toBe(true);
    expect(sameResource(role, { ...role, roleArn: "arn:aws:iam::111122223333:role/B" })).toBe(false);
  });
});
