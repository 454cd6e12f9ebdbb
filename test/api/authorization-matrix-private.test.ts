// The authorisation matrix for private objectives (see test/support/authorization-matrix.ts).
import { runMatrix } from "../support/authorization-matrix.js";

runMatrix(["private"]);
