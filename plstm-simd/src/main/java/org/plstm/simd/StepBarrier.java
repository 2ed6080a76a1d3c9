package org.plstm.simd;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A reusable barrier for the workers of one pass when they split a layer by unit blocks: every step ends with
 * {@link #await}, so step {@code t + 1} reads a complete {@code h_t}. Sense-reversing, spinning (a step takes tens of
 * microseconds and the workers run on their own cores), parking after a while so a descheduled peer does not burn
 * a core. Allocation-free. If a worker fails, {@link #breakAll} releases the others, whose {@code await} then throws,
 * so a failure never leaves a worker waiting forever.
 */
final class StepBarrier {
    private final int parties;
    private final AtomicInteger waiting = new AtomicInteger();
    private volatile int generation;
    private volatile boolean broken;

    StepBarrier(int parties) {
        this.parties = parties;
    }

    /** Waits until all parties have arrived. @throws IllegalStateException if another worker failed */
    void await() {
        int gen = generation;
        if (waiting.incrementAndGet() == parties) {
            waiting.set(0);
            generation = gen + 1;
            return;
        }
        int spins = 0;
        while (generation == gen) {
            if (broken) {
                throw new IllegalStateException("another worker of this pass failed");
            }
            if (++spins < 20_000) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 10_000);
            }
        }
    }

    /** Releases every waiting worker with an exception (a worker failed). */
    void breakAll() {
        broken = true;
    }

    /** Ready for a new pass (after a failed one). */
    void reset() {
        broken = false;
        waiting.set(0);
    }
}
