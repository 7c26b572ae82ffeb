// Every test file: the invariants of the databases it used are checked once it is done.
import { checkAtFileEnd } from './invariants.js';

checkAtFileEnd();
