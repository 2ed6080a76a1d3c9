package org.plstm.simd;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of daemon worker threads that run one {@link Job} at a time on all workers, the calling thread
 * being worker 0. Starting and joining a job allocates nothing, so steady-state training stays garbage-free.
 * Not reentrant: one job at a time per pool (callers serialise on the pool).
 */
final class WorkerPool implements AutoCloseable {

    /** Work split over workers; {@code worker} is in {@code [0, workers)}. */
    interface Job {
        void run(int worker, int workers);
    }

    private final int workers;
    private final Thread[] threads;
    private volatile Job job;
    private volatile int generation;
    private volatile boolean closed;
    private final AtomicInteger remaining = new AtomicInteger();
    private volatile Thread caller;
    private volatile Throwable failure;

    WorkerPool(int workers) {
        this.workers = workers;
        this.threads = new Thread[workers - 1];
        try {
            for (int w = 1; w < workers; w++) {
                final int id = w;
                Thread t = new Thread(() -> loop(id), "plstm-simd-worker-" + w);
                t.setDaemon(true);
                threads[w - 1] = t;
                t.start();
            }
        } catch (RuntimeException | Error e) { // e.g. OutOfMemoryError: unable to create native thread
            closed = true; // the threads started so far end instead of waiting for jobs forever
            for (Thread t : threads) {
                if (t != null) {
                    LockSupport.unpark(t);
                }
            }
            throw e;
        }
    }

    int workers() {
        return workers;
    }

    /** Runs {@code j} on every worker and returns when all have finished; rethrows a worker's failure. */
    synchronized void run(Job j) {
        if (closed) {
            throw new IllegalStateException("engine closed");
        }
        if (workers == 1) {
            j.run(0, 1);
            return;
        }
        failure = null;
        caller = Thread.currentThread();
        remaining.set(workers - 1);
        job = j;
        generation++;
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
        Throwable own = null;
        try {
            j.run(0, workers);
        } catch (Throwable e) {
            own = e;
        }
        int spins = 0;
        while (remaining.get() > 0) {
            if (++spins < 2000) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 20_000);
            }
        }
        job = null;
        Throwable f = own != null ? own : failure;
        if (f instanceof RuntimeException re) {
            throw re;
        } else if (f instanceof Error er) {
            throw er;
        } else if (f != null) {
            throw new IllegalStateException(f);
        }
    }

    private void loop(int id) {
        int seen = 0;
        while (true) {
            int spins = 0;
            while (generation == seen && !closed) {
                if (++spins < 2000) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            try {
                job.run(id, workers);
            } catch (Throwable e) {
                failure = e;
            } finally {
                if (remaining.decrementAndGet() == 0) {
                    LockSupport.unpark(caller);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
    }
}
