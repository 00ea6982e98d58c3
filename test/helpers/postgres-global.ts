/**
 * vitest globalSetup: one folder for the run's PostgreSQL server (started on
 * first use by ./postgres.ts, in whichever test process needs it first), and
 * the server stopped and the folder removed when the run ends.
 */
import fs from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { stopPostgresIn } from "./postgres-server";

export default function setup(project: TestProject): () => void {
  const dir = fs.mkdtempSync(path.join(tmpdir(), "qbr-pg-"));
  project.provide("postgresDir", dir);
  return () => {
    try {
      stopPostgresIn(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}
