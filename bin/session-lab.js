#!/usr/bin/env node
import { main } from "../dist/session-lab.mjs";

await main();
