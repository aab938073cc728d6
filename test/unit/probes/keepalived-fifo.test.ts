import {describe, expect, it} from 'vitest';
import {parseNotifyFifoLine} from '../../../src/probes/keepalived-fifo.js';

describe('parseNotifyFifoLine (vrrp_notify.c and ipwrapper.c formats)', () => {
	it('reads instance and group states with their priority', () => {
		expect(parseNotifyFifoLine('INSTANCE "VI_1" MASTER 100')).toEqual({kind: 'state', scope: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 100});
		expect(parseNotifyFifoLine('INSTANCE "VI_1" STOP 150\n')).toEqual({kind: 'state', scope: 'INSTANCE', name: 'VI_1', state: 'STOP', priority: 150});
		expect(parseNotifyFifoLine('GROUP "VG_1" BACKUP 0')).toEqual({kind: 'state', scope: 'GROUP', name: 'VG_1', state: 'BACKUP', priority: 0});
	});
	it('reads split-brain healing and priority changes, which are not transitions', () => {
		expect(parseNotifyFifoLine('INSTANCE "VI_1" MASTER_RX_LOWER_PRI 150')).toEqual({kind: 'lower-priority', scope: 'INSTANCE', name: 'VI_1', priority: 150});
		expect(parseNotifyFifoLine('INSTANCE "VI_1" BACKUP_PRIORITY 90')).toMatchObject({kind: 'priority', role: 'BACKUP', priority: 90});
	});
	it('reads LVS lines', () => {
		expect(parseNotifyFifoLine('RS [1.2.3.4]:tcp:80 [192.168.201.15]:tcp:80 DOWN')).toEqual({kind: 'checker', scope: 'RS', subject: '[1.2.3.4]:tcp:80 [192.168.201.15]:tcp:80', up: false});
		expect(parseNotifyFifoLine('VS [192.168.201.15]:tcp:80 UP')).toMatchObject({kind: 'checker', scope: 'VS', up: true});
	});
	it('refuses anything else', () => {
		for (const bad of ['', 'INSTANCE VI_1 MASTER 100', 'INSTANCE "VI_1" WEIRD 1', 'INSTANCE "VI_1" MASTER', 'INSTANCE "VI_1" MASTER 1000', 'hello']) expect(parseNotifyFifoLine(bad)).toBeUndefined();
	});
});
