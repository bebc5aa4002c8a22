import { createBubblewrapSandbox } from '../../plugins/sandboxes/bubblewrap/createBubblewrapSandbox.js';
import { describeSandboxConformance } from '../conformance/sandboxConformance.js';

describeSandboxConformance('bubblewrap', { create: () => createBubblewrapSandbox(), languages: ['python', 'node', 'bash'] });
