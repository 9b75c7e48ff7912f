import type { Case } from '../lib/case.js';
import { concurrency } from './concurrency.js';
import { crash } from './crash.js';
import { faults } from './faults.js';
import { hostileImages } from './hostile-images.js';
import { security } from './security.js';

/** Every case, in the order the table shows them. */
export const CASES: Case[] = [crash, concurrency, hostileImages, faults, security];
