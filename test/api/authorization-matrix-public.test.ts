// The authorisation matrix for public objectives (see test/support/authorization-matrix.ts).
import { runMatrix } from "../support/authorization-matrix.js";

runMatrix(["public"]);
