package org.plstm.simd;

import static org.plstm.simd.VectorLevel.FMA;
import static org.plstm.simd.VectorLevel.FS;
import static org.plstm.simd.VectorLevel.L;
import static org.plstm.simd.VectorMath.LN2_HI;
import static org.plstm.simd.VectorMath.LN2_LO;
import static org.plstm.simd.VectorMath.LOG2E;
import static org.plstm.simd.VectorMath.P0;
import static org.plstm.simd.VectorMath.P1;
import static org.plstm.simd.VectorMath.P2;
import static org.plstm.simd.VectorMath.P3;
import static org.plstm.simd.VectorMath.P4;
import static org.plstm.simd.VectorMath.P5;
import static org.plstm.simd.VectorMath.SHIFTER;
import static org.plstm.simd.VectorMath.TANH_CLAMP;
import static org.plstm.simd.VectorMath.TP0;
import static org.plstm.simd.VectorMath.TP1;
import static org.plstm.simd.VectorMath.TP2;
import static org.plstm.simd.VectorMath.TP3;
import static org.plstm.simd.VectorMath.TP4;
import static org.plstm.simd.VectorMath.TP5;
import static org.plstm.simd.VectorMath.TQ0;
import static org.plstm.simd.VectorMath.TQ1;
import static org.plstm.simd.VectorMath.TQ2;
import static org.plstm.simd.VectorMath.TQ3;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The fused cell update (paper eq. 1-5 and 9-10; {@link org.plstm.reference.ReferencePhasedLstm} is its
 * specification), forward and backward, for one block of {@code L} units:
 *
 * <pre>
 * i = σ(zi + p_i⊙c_{t-1})   f = σ(zf + p_f⊙c_{t-1})   g = tanh(zg)   c~ = f⊙c_{t-1} + i⊙g
 * o = σ(zo + p_o⊙c~)        h~ = o⊙tanh(c~)
 * c_t = k⊙c~ + (1 − k)⊙c_{t-1}    h_t = k⊙h~ + (1 − k)⊙h_{t-1}     (without a time gate: c_t = c~, h_t = h~)
 * </pre>
 *
 * Each has a vector form and a scalar twin, which computes the same bits (the common layer's backward without a
 * time gate up to the sign of a zero, see {@code CellBackwardTwinTest}); the training engine and the streaming
 * kernels both call these. Without vector masks ({@link VectorLevel#MASKS}: x86 SSE only) the common layer's kernels
 * ({@link #forwardPlain}, {@link #backwardPlainRows}) still run as vectors, with integer clamps, and the general ones
 * (peepholes, the hard sigmoid, whose gate slopes and clips need compares) take the scalar twin.
 *
 * <p>{@code 1 − x} is written {@code one.sub(x)}, not {@code x.neg().add(1f)}: the same value (IEEE subtraction is
 * the addition of the negation), one instruction instead of two (C2 emits the negation as an {@code xor} with a
 * sign mask loaded from memory). Training (a), 1 thread, Zen 5, AVX-512, jars alternating, three rounds: 32.7-33.7
 * → 30.9-31.8 ms. {@code one} is made inside each loop that uses it, not once before: a vector that a method
 * receives, or that comes into a loop from before it, has the static type {@code FloatVector} when C2 parses the
 * loop, so a call on it ({@code one.sub}) reaches the species' implementation only through the call site's type
 * profile, and where that profile was not yet collected (a caller compiled early) C2 compiles a virtual call that
 * boxes its vectors on every use. A vector made in the loop by an intrinsic has its exact class; C2 still hoists the
 * constant. See {@code HotPathAllocationTest}, which runs without type profiles ({@code -XX:-UseTypeProfile}).
 */
final class CellKernel {
    private CellKernel() {
    }

    /** The forward update of a tile (see {@link CellTile}). */
    static void forward(PackedLayer layer, CellTile tile) {
        if (layer.plain) {
            forwardPlain(tile);
        } else if (!VectorLevel.MASKS) {
            forwardScalar(layer.peepholes, layer.hard, layer.timeGate, tile);
        } else {
            forwardVector(tile);
        }
    }

    /**
     * The transcendentals of all rows go through {@link VectorMath} together, in two rounds (i, f and g, then o and
     * tanh(c~), since with peepholes o waits for c~), through the tile's scratch. The common layer's
     * {@link #forwardPlain} runs one row at a time in registers instead, which measured faster; this general kernel
     * (peepholes, the hard sigmoid) keeps the array form.
     *
     * <p>Branch-free: the layer's options are data, not control flow. Without peepholes they are zeros
     * ({@code p⊙c} adds exact zeros); without a time gate {@code k} is a row of ones ({@code c_t = 1⊙c~ +
     * 0⊙c_{t-1}} is exactly {@code c~}); the gate function is the sigmoid or the hard sigmoid by a per-tile mask
     * ({@link VectorMath#gatesInPlace}); the training caches go to a sink when not wanted. C2 (JDK 25) compiles a
     * branch that was not taken while C1 profiled a method as cold, and a vector operation there became a call to
     * the Java fallback that boxed its vectors; when the branch later turned hot (a JVM that ran inference, then
     * training, or layers with and without peepholes) the method was recompiled from the stale profile and kept
     * boxing on every call (seen with JFR in {@code HotPathAllocationTest}). Without branches there is no such
     * profile. The price (a few multiply-adds and stores per block when an option is off) is measured in
     * docs/performance-notes.md. Likewise no helper takes or returns a vector (a vector passed to a method C2 did
     * not inline is boxed), and only {@code static final} level constants ({@code FMA}) choose between vector
     * expressions.
     */
    private static void forwardVector(CellTile tile) {
        float[] e = tile.e;
        float[] z = tile.z;
        int count = tile.rows;
        // Pre-activations: i and f with their peepholes, g, o (its peephole waits for c~).
        for (int q = 0; q < count; q++) {
            int zo = q * 4 * L;
            FloatVector zi = FloatVector.fromArray(FS, z, zo);
            FloatVector zf = FloatVector.fromArray(FS, z, zo + L);
            FloatVector cp = FloatVector.fromArray(FS, tile.c, tile.prev[q]);
            int po = tile.peepAt[q];
            FloatVector pi = FloatVector.fromArray(FS, tile.peep, po);
            FloatVector pf = FloatVector.fromArray(FS, tile.peep, po + tile.peepStride);
            (FMA ? pi.fma(cp, zi) : pi.mul(cp).add(zi)).intoArray(e, 2 * q * L);
            (FMA ? pf.fma(cp, zf) : pf.mul(cp).add(zf)).intoArray(e, (2 * q + 1) * L);
            FloatVector.fromArray(FS, z, zo + 2 * L).intoArray(e, G + q * L);
        }
        VectorMath.gatesInPlace(e, 0, 2 * count * L, tile.hard);
        VectorMath.tanhInPlace(e, G, count * L);
        // c~ = f⊙c_{t-1} + i⊙g (twice: tanh replaces one), o's pre-activation with its peephole, caches of i, f, g.
        for (int q = 0; q < count; q++) {
            FloatVector i = FloatVector.fromArray(FS, e, 2 * q * L);
            FloatVector f = FloatVector.fromArray(FS, e, (2 * q + 1) * L);
            FloatVector g = FloatVector.fromArray(FS, e, G + q * L);
            FloatVector cp = FloatVector.fromArray(FS, tile.c, tile.prev[q]);
            FloatVector fc = f.mul(cp);
            FloatVector ct = FMA ? i.fma(g, fc) : i.mul(g).add(fc); // the backward recomputes it the same way
            ct.intoArray(e, C + q * L);
            ct.intoArray(e, T + q * L);
            FloatVector po = FloatVector.fromArray(FS, tile.peep, tile.peepAt[q] + 2 * tile.peepStride);
            FloatVector zo = FloatVector.fromArray(FS, tile.z, q * 4 * L + 3 * L);
            (FMA ? po.fma(ct, zo) : po.mul(ct).add(zo)).intoArray(e, O + q * L);
            int at = tile.cacheAt[q];
            i.intoArray(tile.gi, at);
            f.intoArray(tile.gf, at);
            g.intoArray(tile.gg, at);
        }
        VectorMath.tanhInPlace(e, T, count * L);
        VectorMath.gatesInPlace(e, O, count * L, tile.hard);
        // h~ = o⊙tanh(c~); c_t = k⊙c~ + (1 − k)⊙c_{t-1}, h_t = k⊙h~ + (1 − k)⊙h_{t-1}; caches of o, tanh(c~).
        for (int q = 0; q < count; q++) {
            int at = tile.prev[q];
            int out = tile.next[q];
            FloatVector one = FloatVector.broadcast(FS, 1f); // in the loop: see the class comment
            FloatVector o = FloatVector.fromArray(FS, e, O + q * L);
            FloatVector tcv = FloatVector.fromArray(FS, e, T + q * L);
            FloatVector ct = FloatVector.fromArray(FS, e, C + q * L);
            FloatVector ht = o.mul(tcv);
            FloatVector k = FloatVector.fromArray(FS, tile.k, tile.kAt[q]);
            FloatVector oneMinusK = one.sub(k);
            FloatVector cKeep = oneMinusK.mul(FloatVector.fromArray(FS, tile.c, at));
            FloatVector hKeep = oneMinusK.mul(FloatVector.fromArray(FS, tile.h, at));
            (FMA ? k.fma(ct, cKeep) : k.mul(ct).add(cKeep)).intoArray(tile.cOut, out);
            (FMA ? k.fma(ht, hKeep) : k.mul(ht).add(hKeep)).intoArray(tile.hOut, out);
            int c = tile.cacheAt[q];
            o.intoArray(tile.go, c);
            tcv.intoArray(tile.tc, c);
        }
    }

    /**
     * {@link #forwardVector} for the common layer: logistic sigmoid, no peepholes (what {@link PackedLayer#plain}
     * says). A separate method rather than branches: see {@link #forwardVector} on why the kernels carry no branch on
     * a layer flag; a method this long is never inlined into its caller, so each variant is compiled on its own, from
     * its own profile.
     *
     * <p>Row by row in registers, in two passes over the tile's rows: the first takes each row from {@code z} to
     * i, f, g, o and {@code c~}, the second from {@code c~} to {@code tanh(c~)}, {@code c_t} and {@code h_t}, the two
     * values passing through the tile's scratch. The sigmoids and tanhs are {@link VectorMath}'s operations written
     * out here (the same bits: {@code CellKernelTest}), since a helper that took a vector would be boxed where C2 did
     * not inline it, and one that took arrays costs a store and a load per gate. The array form (the gates of all
     * rows through scratch in rounds, as {@link #forwardVector} still does) stored and reloaded each gate two or three
     * times; this one loads {@code z}, {@code c}, {@code h}, {@code k} once and stores the state, the five caches and
     * the two passed values once. Training (a), 1 thread, Zen 5, jars alternating: {@code UseAVX=2} 50.7, 51.1, 56.6
     * → 48.6, 49.6, 54.4 ms; AVX-512 32.9, 34.6 → 30.4, 31.1 ms. Through array helpers instead (the same loop, each
     * gate stored to its cache and reloaded) it was slower than before: 57.3-61.9 ms at {@code UseAVX=2}.
     *
     * <p>Why two passes: one row's chain from {@code z} to {@code h_t} (a sigmoid, {@code c~}, then a tanh) is about
     * 130 cycles of latency and about 210 instructions at AVX2, so the out-of-order window holds about two rows and
     * the core waited on the chain. Split, each pass's rows are short independent chains. {@code
     * KernelBenchmark.cellUpdate} (a), 1 thread, Zen 5, jars alternating: AVX-512 8.16, 8.90 → 6.67, 6.73 µs;
     * {@code UseAVX=2} 13.8, 13.9 → 12.5, 12.2 µs; 128-bit 27.2 → 24.0 µs; (b) at AVX-512 32.0, 32.7 → 28.0,
     * 26.8 µs. Training (a), 1 thread: {@code UseAVX=2} 47.4, 47.9 → 46.0, 46.2 ms; AVX-512 26.8, 27.7 → 27.2,
     * 27.5 ms (there the rest of the step hides the cell's latency).
     *
     * <p>Without vector masks (SSE only) the clamps cannot be compares and blends: the tile's {@code z} is clamped in
     * place first, to {@code [-88, 87]} for the gates (the sigmoid's argument {@code -z} to {@code [-87, 88]}) and
     * {@code [-9, 9]} for g, and {@code c~} in a copy between the passes, by {@link VectorMath#clampInPlace} (integer
     * operations; the same values as the blends, so the same bits). Until then this level ran the scalar twin:
     * {@code UseAVX=0}, 1 thread, Zen 5, jars alternating, shape (b): training 452.8, 460.9 → 431.9, 440.4 ms,
     * inference of the Phased LSTM 45.1, 45.3 → 40.5, 40.2 ms, of the plain LSTM 168-174 → 147-155 ms (in 9 of 12
     * and 20 of 24 forks; both jars had forks that ran slow throughout, 219-258 and 199-214 ms); dense streaming at
     * H = 512 11.1k, 11.3k → 11.9k, 12.1k events/s.
     */
    static void forwardPlain(CellTile tile) {
        float[] z = tile.z;
        int count = tile.rows;
        if (!VectorLevel.MASKS) { // the clamps of the sigmoid's argument -z and of tanh's, with integer operations
            for (int q = 0; q < count; q++) {
                int zo = q * 4 * L;
                VectorMath.clampInPlace(z, zo, 2 * L, -88f, 87f);
                VectorMath.clampInPlace(z, zo + 2 * L, L, -TANH_CLAMP, TANH_CLAMP);
                VectorMath.clampInPlace(z, zo + 3 * L, L, -88f, 87f);
            }
        }
        for (int q = 0; q < count; q++) {
            FloatVector one = FloatVector.broadcast(FS, 1f); // in the loop: see the class comment
            int zo = q * 4 * L;
            FloatVector zi = FloatVector.fromArray(FS, z, zo);
            FloatVector zf = FloatVector.fromArray(FS, z, zo + L);
            FloatVector zg = FloatVector.fromArray(FS, z, zo + 2 * L);
            FloatVector zo4 = FloatVector.fromArray(FS, z, zo + 3 * L);
            FloatVector i; // σ(zi): e = exp(-zi) as in VectorMath.gatesInPlace, then 1 / (1 + e)
            {
                FloatVector arg = zi.neg();
                if (VectorLevel.MASKS) { // else z is clamped already
                    arg = arg.blend(-87f, arg.compare(VectorOperators.LT, -87f));
                    arg = arg.blend(88f, arg.compare(VectorOperators.GT, 88f));
                }
                FloatVector t = FMA ? arg.fma(LOG2E, SHIFTER) : arg.mul(LOG2E).add(SHIFTER);
                FloatVector m = t.sub(SHIFTER);
                FloatVector r = FMA ? m.fma(FloatVector.broadcast(FS, LN2_HI), arg) : m.mul(LN2_HI).add(arg);
                r = FMA ? m.fma(FloatVector.broadcast(FS, LN2_LO), r) : m.mul(LN2_LO).add(r);
                FloatVector p = FMA ? r.fma(P0, P1) : r.mul(P0).add(P1);
                p = FMA ? p.fma(r, FloatVector.broadcast(FS, P2)) : p.mul(r).add(P2);
                p = FMA ? p.fma(r, FloatVector.broadcast(FS, P3)) : p.mul(r).add(P3);
                p = FMA ? p.fma(r, FloatVector.broadcast(FS, P4)) : p.mul(r).add(P4);
                p = FMA ? p.fma(r, FloatVector.broadcast(FS, P5)) : p.mul(r).add(P5);
                FloatVector pr = p.mul(r);
                FloatVector e = (FMA ? pr.fma(r, r) : pr.mul(r).add(r)).add(1f)
                        .mul(t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                i = one.div(e.add(1f));
            }
            FloatVector f; // σ(zf)
            {
                FloatVector arg = zf.neg();
                if (VectorLevel.MASKS) { // else z is clamped already
                    arg = arg.blend(-87f, arg.compare(VectorOperators.LT, -87f));
                    arg = arg.blend(88f, arg.compare(VectorOperators.GT, 88f));
                }
                FloatVector t = FMA ? arg.fma(LOG2E, SHIFTER) : arg.mul(LOG2E).add(SHIFTER);
                FloatVector m = t.sub(SHIFTER);
                FloatVector r = FMA ? m.fma(FloatVector.broadcast(FS, LN2_HI), arg) : m.mul(LN2_HI).add(arg);
                r = FMA ? m.fma(FloatVector.broadcast(FS, LN2_LO), r) : m.mul(LN2_LO).add(r);
                FloatVector p = FMA ? r.fma(P0, P1) : r.mul(P0).add(P1);
                p = FMA ? p.fma(r, FloatVector.broadcast(FS, P2)) : p.mul(r).add(P2);
                p = FMA ? p.fma(r, FloatVector.broadcast(FS, P3)) : p.mul(r).add(P3);
                p = FMA ? p.fma(r, FloatVector.broadcast(FS, P4)) : p.mul(r).add(P4);
                p = FMA ? p.fma(r, FloatVector.broadcast(FS, P5)) : p.mul(r).add(P5);
                FloatVector pr = p.mul(r);
                FloatVector e = (FMA ? pr.fma(r, r) : pr.mul(r).add(r)).add(1f)
                        .mul(t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                f = one.div(e.add(1f));
            }
            FloatVector g; // tanh(zg), as in VectorMath.tanhInPlace
            {
                FloatVector x = zg;
                if (VectorLevel.MASKS) { // else z is clamped already
                    x = x.blend(-TANH_CLAMP, x.compare(VectorOperators.LT, -TANH_CLAMP));
                    x = x.blend(TANH_CLAMP, x.compare(VectorOperators.GT, TANH_CLAMP));
                }
                FloatVector u = x.mul(x);
                FloatVector p = FMA ? u.fma(TP5, TP4) : u.mul(TP5).add(TP4);
                p = FMA ? p.fma(u, FloatVector.broadcast(FS, TP3)) : p.mul(u).add(TP3);
                p = FMA ? p.fma(u, FloatVector.broadcast(FS, TP2)) : p.mul(u).add(TP2);
                p = FMA ? p.fma(u, FloatVector.broadcast(FS, TP1)) : p.mul(u).add(TP1);
                p = FMA ? p.fma(u, FloatVector.broadcast(FS, TP0)) : p.mul(u).add(TP0);
                FloatVector d = FMA ? u.fma(TQ3, TQ2) : u.mul(TQ3).add(TQ2);
                d = FMA ? d.fma(u, FloatVector.broadcast(FS, TQ1)) : d.mul(u).add(TQ1);
                d = FMA ? d.fma(u, FloatVector.broadcast(FS, TQ0)) : d.mul(u).add(TQ0);
                g = x.mul(p).div(d);
            }
            FloatVector cp = FloatVector.fromArray(FS, tile.c, tile.prev[q]);
            FloatVector fc = f.mul(cp);
            FloatVector ct = FMA ? i.fma(g, fc) : i.mul(g).add(fc); // the backward recomputes it the same way
            FloatVector o; // σ(zo)
            {
                FloatVector arg = zo4.neg();
                if (VectorLevel.MASKS) { // else z is clamped already
                    arg = arg.blend(-87f, arg.compare(VectorOperators.LT, -87f));
                    arg = arg.blend(88f, arg.compare(VectorOperators.GT, 88f));
                }
                FloatVector t = FMA ? arg.fma(LOG2E, SHIFTER) : arg.mul(LOG2E).add(SHIFTER);
                FloatVector m = t.sub(SHIFTER);
                FloatVector r = FMA ? m.fma(FloatVector.broadcast(FS, LN2_HI), arg) : m.mul(LN2_HI).add(arg);
                r = FMA ? m.fma(FloatVector.broadcast(FS, LN2_LO), r) : m.mul(LN2_LO).add(r);
                FloatVector p = FMA ? r.fma(P0, P1) : r.mul(P0).add(P1);
                p = FMA ? p.fma(r, FloatVector.broadcast(FS, P2)) : p.mul(r).add(P2);
                p = FMA ? p.fma(r, FloatVector.broadcast(FS, P3)) : p.mul(r).add(P3);
                p = FMA ? p.fma(r, FloatVector.broadcast(FS, P4)) : p.mul(r).add(P4);
                p = FMA ? p.fma(r, FloatVector.broadcast(FS, P5)) : p.mul(r).add(P5);
                FloatVector pr = p.mul(r);
                FloatVector e = (FMA ? pr.fma(r, r) : pr.mul(r).add(r)).add(1f)
                        .mul(t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                o = one.div(e.add(1f));
            }
            ct.intoArray(tile.e, C + q * L);
            if (!VectorLevel.MASKS) {
                ct.intoArray(tile.e, T + q * L); // to be clamped for tanh
            }
            o.intoArray(tile.e, O + q * L);
            int c = tile.cacheAt[q];
            i.intoArray(tile.gi, c);
            f.intoArray(tile.gf, c);
            g.intoArray(tile.gg, c);
            o.intoArray(tile.go, c);
        }
        if (!VectorLevel.MASKS) {
            VectorMath.clampInPlace(tile.e, T, count * L, -TANH_CLAMP, TANH_CLAMP);
        }
        // Second pass: tanh(c~), h~ = o⊙tanh(c~); c_t = k⊙c~ + (1 − k)⊙c_{t-1}, h_t = k⊙h~ + (1 − k)⊙h_{t-1}.
        for (int q = 0; q < count; q++) {
            FloatVector one = FloatVector.broadcast(FS, 1f); // in the loop: see the class comment
            int at = tile.prev[q];
            int c = tile.cacheAt[q];
            FloatVector ct = FloatVector.fromArray(FS, tile.e, C + q * L);
            FloatVector o = FloatVector.fromArray(FS, tile.e, O + q * L);
            FloatVector cp = FloatVector.fromArray(FS, tile.c, at);
            FloatVector tcv; // tanh(c~)
            {
                FloatVector x;
                if (VectorLevel.MASKS) {
                    x = ct.blend(-TANH_CLAMP, ct.compare(VectorOperators.LT, -TANH_CLAMP));
                    x = x.blend(TANH_CLAMP, x.compare(VectorOperators.GT, TANH_CLAMP));
                } else { // c~ clamped between the passes
                    x = FloatVector.fromArray(FS, tile.e, T + q * L);
                }
                FloatVector u = x.mul(x);
                FloatVector p = FMA ? u.fma(TP5, TP4) : u.mul(TP5).add(TP4);
                p = FMA ? p.fma(u, FloatVector.broadcast(FS, TP3)) : p.mul(u).add(TP3);
                p = FMA ? p.fma(u, FloatVector.broadcast(FS, TP2)) : p.mul(u).add(TP2);
                p = FMA ? p.fma(u, FloatVector.broadcast(FS, TP1)) : p.mul(u).add(TP1);
                p = FMA ? p.fma(u, FloatVector.broadcast(FS, TP0)) : p.mul(u).add(TP0);
                FloatVector d = FMA ? u.fma(TQ3, TQ2) : u.mul(TQ3).add(TQ2);
                d = FMA ? d.fma(u, FloatVector.broadcast(FS, TQ1)) : d.mul(u).add(TQ1);
                d = FMA ? d.fma(u, FloatVector.broadcast(FS, TQ0)) : d.mul(u).add(TQ0);
                tcv = x.mul(p).div(d);
            }
            FloatVector ht = o.mul(tcv);
            FloatVector k = FloatVector.fromArray(FS, tile.k, tile.kAt[q]);
            FloatVector oneMinusK = one.sub(k);
            FloatVector cKeep = oneMinusK.mul(cp);
            FloatVector hKeep = oneMinusK.mul(FloatVector.fromArray(FS, tile.h, at));
            int out = tile.next[q];
            (FMA ? k.fma(ct, cKeep) : k.mul(ct).add(cKeep)).intoArray(tile.cOut, out);
            (FMA ? k.fma(ht, hKeep) : k.mul(ht).add(hKeep)).intoArray(tile.hOut, out);
            tcv.intoArray(tile.tc, c);
        }
    }

    // Scratch layout of CellTile.e, L floats per row and slot, R = CellTile.MAX_ROWS: gate inputs [R rows][i, f] |
    // g [R] | c~ [R] | tanh(c~) [R] (forwardPlain without vector masks: c~ clamped to [-9, 9], tanh's input) | o [R].
    private static final int G = 2 * CellTile.MAX_ROWS * L;
    private static final int C = 3 * CellTile.MAX_ROWS * L;
    private static final int T = 4 * CellTile.MAX_ROWS * L;
    private static final int O = 5 * CellTile.MAX_ROWS * L;

    /** {@code fma(a, b, c)} with hardware FMA, else {@code a·b + c}: the rule of every kernel. */
    private static float madd(float a, float b, float c) {
        return FMA ? Math.fma(a, b, c) : a * b + c;
    }

    private static float hardSigmoid(float x) {
        return Math.min(1f, Math.max(0f, madd(x, 0.2f, 0.5f)));
    }

    /** The scalar twin of {@link #forwardVector}: the same operations, one unit at a time. */
    static void forwardScalar(boolean peepholes, boolean hard, boolean timeGate, CellTile tile) {
        for (int q = 0; q < tile.rows; q++) {
            int zo = q * 4 * L;
            for (int l = 0; l < L; l++) {
                int at = tile.prev[q] + l;
                float cp = tile.c[at];
                float zi = tile.z[zo + l];
                float zf = tile.z[zo + L + l];
                float zg = tile.z[zo + 2 * L + l];
                float zo0 = tile.z[zo + 3 * L + l];
                int po = tile.peepAt[q] + l;
                if (peepholes) {
                    zi = madd(tile.peep[po], cp, zi);
                    zf = madd(tile.peep[po + tile.peepStride], cp, zf);
                }
                float i = hard ? hardSigmoid(zi) : VectorMath.sigmoid(zi);
                float f = hard ? hardSigmoid(zf) : VectorMath.sigmoid(zf);
                float g = VectorMath.tanh(zg);
                float ct = madd(i, g, f * cp);
                float zoo = peepholes ? madd(tile.peep[po + 2 * tile.peepStride], ct, zo0) : zo0;
                float o = hard ? hardSigmoid(zoo) : VectorMath.sigmoid(zoo);
                float tcv = VectorMath.tanh(ct);
                float ht = o * tcv;
                int out = tile.next[q] + l;
                if (timeGate) {
                    float k = tile.k[tile.kAt[q] + l];
                    float oneMinusK = 1f - k;
                    float cKeep = oneMinusK * cp;
                    float hKeep = oneMinusK * tile.h[at];
                    tile.cOut[out] = madd(k, ct, cKeep);
                    tile.hOut[out] = madd(k, ht, hKeep);
                } else {
                    tile.cOut[out] = ct;
                    tile.hOut[out] = ht;
                }
                int c = tile.cacheAt[q] + l;
                tile.gi[c] = i;
                tile.gf[c] = f;
                tile.gg[c] = g;
                tile.go[c] = o;
                tile.tc[c] = tcv;
            }
        }
    }

    /**
     * The backward of rows {@code [q0, q1)} of step t (the step's active samples {@code s.rows[q]}, which share one
     * timestamp and so one {@code k}, at {@code s.kS[u ..]}), unit blocks {@code [nb0, nb1)}: from {@code dL/dh_t},
     * {@code dL/dc_t} (in {@code ws.dhN}/{@code ws.dcN}) and the forward caches, writes
     * {@code dz = dL/d[zi, zf, zg, zo]} (at {@link LayerBackward#dzRow}), row {@code q}'s {@code dL/dk} at
     * {@code s.dk[(q − q0)·hPad + u]}, the parts of {@code dL/dh_{t-1}}, {@code dL/dc_{t-1}} that do not go through
     * the gates (over {@code dhN}/{@code dcN}), and the step's peephole gradients ({@code s.peepStep}). One call per
     * run of rows rather than per row and block: the common layer's kernel ({@link #backwardPlainRows}) then loops
     * over them with its arrays and offsets in registers, and the out-of-order core overlaps the rows' chains.
     */
    static void backwardRows(PackedLayer layer, SimdWorkspace ws, SimdWorkspace.Worker s, int t, int q0, int q1,
                             int nb0, int nb1) {
        if (layer.plain) {
            backwardPlainRows(ws, s, t, q0, q1, nb0, nb1);
            return;
        }
        int hPad = ws.hPad;
        for (int q = q0; q < q1; q++) {
            int b = s.rows[q];
            int cache = ws.state(t, b);
            int row = b * hPad;
            int dzAt = LayerBackward.dzRow(ws, t, b, q);
            int dkAt = (q - q0) * hPad;
            for (int nb = nb0; nb < nb1; nb++) {
                int u = nb * L;
                if (VectorLevel.MASKS) {
                    backwardVector(layer, ws, s, cache + u, row + u, dzAt + nb * 4 * L, dkAt, u);
                } else {
                    backwardScalar(layer, ws, s, cache + u, row + u, dzAt + nb * 4 * L, dkAt, u);
                }
            }
        }
    }

    /**
     * The vector backward, branch-free like {@link #forwardVector}: peepholes are zeros when off (their gradients
     * are then computed and ignored), {@code s.kS} holds ones without a time gate (set by the caller; the same code
     * then gives {@code dh~ = dh}, {@code dc~ = dc} and zero carried parts), and the gate slopes are the sigmoid's
     * {@code y(1 − y)} or the hard sigmoid's {@code 0.2·[0 < y < 1]} by the layer's mask. In two halves that pass
     * their values through the scratch {@code s.slope}.
     */
    private static void backwardVector(PackedLayer layer, SimdWorkspace ws, SimdWorkspace.Worker s, int cache,
                                       int row, int dzAt, int dkAt, int u) {
        backwardOutput(layer, ws, s, cache, row, dzAt, dkAt, u);
        backwardInput(layer, ws, s, cache, row, dzAt, u);
    }

    // Scratch layout of Worker.slope, L floats each: slopes of i, f | dL/dc~.
    private static final int DCT = 2 * L;

    /**
     * First half: gate slopes of i and f (to the scratch), {@code dL/dk}, {@code dzo} (to {@code dz}),
     * {@code dL/dc~} with o's peephole (to the scratch), o's peephole gradient, and {@code dL/dh_{t-1}}'s carried
     * part (over {@code dhN}).
     */
    private static void backwardOutput(PackedLayer layer, SimdWorkspace ws, SimdWorkspace.Worker s, int cache,
                                       int row, int dzAt, int dkAt, int u) {
        int hPad = layer.hPad;
        float[] sl = s.slope;
        FloatVector one = FloatVector.broadcast(FS, 1f);
        VectorMask<Float> hard = FloatVector.broadcast(FS, layer.hardFlag).compare(VectorOperators.GT, 0f);
        FloatVector i = FloatVector.fromArray(FS, ws.gi, cache);
        FloatVector f = FloatVector.fromArray(FS, ws.gf, cache);
        FloatVector o = FloatVector.fromArray(FS, ws.go, cache);
        // σ' through the gate value y: y(1 − y), or 0.2 inside the hard sigmoid's linear part.
        i.mul(one.sub(i)).blend(FloatVector.zero(FS).blend(0.2f,
                i.compare(VectorOperators.GT, 0f).and(i.compare(VectorOperators.LT, 1f))), hard).intoArray(sl, 0);
        f.mul(one.sub(f)).blend(FloatVector.zero(FS).blend(0.2f,
                f.compare(VectorOperators.GT, 0f).and(f.compare(VectorOperators.LT, 1f))), hard).intoArray(sl, L);
        FloatVector dOut = o.mul(one.sub(o)).blend(FloatVector.zero(FS).blend(0.2f,
                o.compare(VectorOperators.GT, 0f).and(o.compare(VectorOperators.LT, 1f))), hard);
        FloatVector dh = FloatVector.fromArray(FS, ws.dhN, row);
        FloatVector dc = FloatVector.fromArray(FS, ws.dcN, row);
        FloatVector g = FloatVector.fromArray(FS, ws.gg, cache);
        FloatVector tcv = FloatVector.fromArray(FS, ws.tc, cache);
        FloatVector cp = FloatVector.fromArray(FS, ws.cc, cache);
        FloatVector fc = f.mul(cp);
        FloatVector ct = FMA ? i.fma(g, fc) : i.mul(g).add(fc); // recomputed exactly as the forward computed it
        FloatVector k = FloatVector.fromArray(FS, s.kS, u);
        FloatVector hPrev = FloatVector.fromArray(FS, ws.hc, cache);
        dh.mul(o.mul(tcv).sub(hPrev)).add(dc.mul(ct.sub(cp))).intoArray(s.dk, dkAt + u);
        FloatVector dht = dh.mul(k);
        FloatVector dzo = dht.mul(tcv).mul(dOut);
        dzo.intoArray(s.dz, dzAt + 3 * L);
        FloatVector dct = dht.mul(o).mul(one.sub(tcv.mul(tcv))).add(dc.mul(k));
        FloatVector po = FloatVector.fromArray(FS, layer.peep, 2 * hPad + u);
        FloatVector acc = FloatVector.fromArray(FS, s.peepStep, 2 * hPad + u);
        (FMA ? dzo.fma(ct, acc) : dzo.mul(ct).add(acc)).intoArray(s.peepStep, 2 * hPad + u);
        (FMA ? po.fma(dzo, dct) : po.mul(dzo).add(dct)).intoArray(sl, DCT);
        dh.mul(one.sub(k)).intoArray(ws.dhN, row);
    }

    /**
     * Second half: from {@code dL/dc~} and the slopes in the scratch, {@code dzi}, {@code dzf}, {@code dzg} (to
     * {@code dz}), the peephole gradients of i and f, and {@code dL/dc_{t-1}}'s part that does not go through the
     * gates (over {@code dcN}).
     */
    private static void backwardInput(PackedLayer layer, SimdWorkspace ws, SimdWorkspace.Worker s, int cache,
                                      int row, int dzAt, int u) {
        int hPad = layer.hPad;
        float[] sl = s.slope;
        FloatVector one = FloatVector.broadcast(FS, 1f);
        FloatVector dct = FloatVector.fromArray(FS, sl, DCT);
        FloatVector i = FloatVector.fromArray(FS, ws.gi, cache);
        FloatVector f = FloatVector.fromArray(FS, ws.gf, cache);
        FloatVector g = FloatVector.fromArray(FS, ws.gg, cache);
        FloatVector cp = FloatVector.fromArray(FS, ws.cc, cache);
        FloatVector dc = FloatVector.fromArray(FS, ws.dcN, row);
        FloatVector k = FloatVector.fromArray(FS, s.kS, u);
        FloatVector dzi = dct.mul(g).mul(FloatVector.fromArray(FS, sl, 0));
        FloatVector dzf = dct.mul(cp).mul(FloatVector.fromArray(FS, sl, L));
        dzi.intoArray(s.dz, dzAt);
        dzf.intoArray(s.dz, dzAt + L);
        dct.mul(i).mul(one.sub(g.mul(g))).intoArray(s.dz, dzAt + 2 * L);
        FloatVector dcKeep = dc.mul(one.sub(k));
        FloatVector dcp = FMA ? dct.fma(f, dcKeep) : dct.mul(f).add(dcKeep);
        FloatVector pi = FloatVector.fromArray(FS, layer.peep, u);
        FloatVector pf = FloatVector.fromArray(FS, layer.peep, hPad + u);
        FloatVector ai = FloatVector.fromArray(FS, s.peepStep, u);
        FloatVector af = FloatVector.fromArray(FS, s.peepStep, hPad + u);
        (FMA ? dzi.fma(cp, ai) : dzi.mul(cp).add(ai)).intoArray(s.peepStep, u);
        (FMA ? dzf.fma(cp, af) : dzf.mul(cp).add(af)).intoArray(s.peepStep, hPad + u);
        FloatVector viaF = FMA ? pf.fma(dzf, dcp) : pf.mul(dzf).add(dcp);
        (FMA ? pi.fma(dzi, viaF) : pi.mul(dzi).add(viaF)).intoArray(ws.dcN, row);
    }

    /**
     * The backward of {@link #forwardPlain} (logistic sigmoid, no peepholes) for rows {@code [q0, q1)} and blocks
     * {@code [nb0, nb1)} (see {@link #backwardRows}), straight through: the same arithmetic as {@link #backwardOutput}
     * and {@link #backwardInput} without the peephole terms and the hard sigmoid's mask.
     */
    private static void backwardPlainRows(SimdWorkspace ws, SimdWorkspace.Worker s, int t, int q0, int q1, int nb0,
                                          int nb1) {
        int hPad = ws.hPad;
        float[] gi = ws.gi;
        float[] gf = ws.gf;
        float[] go = ws.go;
        float[] gg = ws.gg;
        float[] tc = ws.tc;
        float[] cc = ws.cc;
        float[] hc = ws.hc;
        float[] dhN = ws.dhN;
        float[] dcN = ws.dcN;
        float[] kS = s.kS;
        float[] dkOut = s.dk;
        float[] dz = s.dz;
        for (int q = q0; q < q1; q++) {
            int b = s.rows[q];
            int cache0 = ws.state(t, b);
            int row0 = b * hPad;
            int dz0 = LayerBackward.dzRow(ws, t, b, q);
            int dk0 = (q - q0) * hPad;
            for (int nb = nb0; nb < nb1; nb++) {
                int u = nb * L;
                int cache = cache0 + u;
                int row = row0 + u;
                int dzAt = dz0 + nb * 4 * L;
                FloatVector one = FloatVector.broadcast(FS, 1f); // in the loop: see the class comment
                FloatVector i = FloatVector.fromArray(FS, gi, cache);
                FloatVector f = FloatVector.fromArray(FS, gf, cache);
                FloatVector o = FloatVector.fromArray(FS, go, cache);
                FloatVector g = FloatVector.fromArray(FS, gg, cache);
                FloatVector tcv = FloatVector.fromArray(FS, tc, cache);
                FloatVector cp = FloatVector.fromArray(FS, cc, cache);
                FloatVector dh = FloatVector.fromArray(FS, dhN, row);
                FloatVector dc = FloatVector.fromArray(FS, dcN, row);
                FloatVector k = FloatVector.fromArray(FS, kS, u);
                FloatVector hPrev = FloatVector.fromArray(FS, hc, cache);
                FloatVector fc = f.mul(cp);
                FloatVector ct = FMA ? i.fma(g, fc) : i.mul(g).add(fc); // recomputed exactly as the forward did
                dh.mul(o.mul(tcv).sub(hPrev)).add(dc.mul(ct.sub(cp))).intoArray(dkOut, dk0 + u);
                FloatVector oneMinusK = one.sub(k);
                FloatVector dht = dh.mul(k);
                dht.mul(tcv).mul(o.mul(one.sub(o))).intoArray(dz, dzAt + 3 * L);
                FloatVector dct = dht.mul(o).mul(one.sub(tcv.mul(tcv))).add(dc.mul(k));
                dct.mul(g).mul(i.mul(one.sub(i))).intoArray(dz, dzAt);
                dct.mul(cp).mul(f.mul(one.sub(f))).intoArray(dz, dzAt + L);
                dct.mul(i).mul(one.sub(g.mul(g))).intoArray(dz, dzAt + 2 * L);
                FloatVector dcKeep = dc.mul(oneMinusK);
                (FMA ? dct.fma(f, dcKeep) : dct.mul(f).add(dcKeep)).intoArray(dcN, row);
                dh.mul(oneMinusK).intoArray(dhN, row);
            }
        }
    }

    /** The hard sigmoid's derivative through its value {@code y}: 0.2 inside {@code (0, 1)}, else 0. */
    private static float hardSlope(float y) {
        return y > 0f && y < 1f ? 0.2f : 0f;
    }

    /** The scalar twin of {@link #backwardVector}. */
    static void backwardScalar(PackedLayer layer, SimdWorkspace ws, SimdWorkspace.Worker s, int cache, int row,
                               int dzAt, int dkAt, int u) {
        int hPad = layer.hPad;
        boolean hard = layer.hard;
        for (int l = 0; l < L; l++) {
            int at = cache + l;
            float dh = ws.dhN[row + l];
            float dc = ws.dcN[row + l];
            float i = ws.gi[at];
            float f = ws.gf[at];
            float g = ws.gg[at];
            float o = ws.go[at];
            float tcv = ws.tc[at];
            float cp = ws.cc[at];
            float ct = madd(i, g, f * cp);
            float dht;
            float dct;
            float dhp;
            float dcp;
            if (layer.timeGate) {
                float k = s.kS[u + l];
                float oneMinusK = 1f - k;
                s.dk[dkAt + u + l] = dh * (o * tcv - ws.hc[at]) + dc * (ct - cp);
                dht = dh * k;
                dct = dc * k;
                dhp = dh * oneMinusK;
                dcp = dc * oneMinusK;
            } else {
                dht = dh;
                dct = dc;
                dhp = 0f;
                dcp = 0f;
            }
            float dOut = hard ? hardSlope(o) : o * (1f - o);
            float dzo = dht * tcv * dOut;
            dct = dht * o * (1f - tcv * tcv) + dct;
            if (layer.peepholes) {
                s.peepStep[2 * hPad + u + l] = madd(dzo, ct, s.peepStep[2 * hPad + u + l]);
                dct = madd(layer.peep[2 * hPad + u + l], dzo, dct);
            }
            float dIn = hard ? hardSlope(i) : i * (1f - i);
            float dForget = hard ? hardSlope(f) : f * (1f - f);
            float dzi = dct * g * dIn;
            float dzf = dct * cp * dForget;
            float dzg = dct * i * (1f - g * g);
            dcp = madd(dct, f, dcp);
            if (layer.peepholes) {
                s.peepStep[u + l] = madd(dzi, cp, s.peepStep[u + l]);
                s.peepStep[hPad + u + l] = madd(dzf, cp, s.peepStep[hPad + u + l]);
                dcp = madd(layer.peep[u + l], dzi, madd(layer.peep[hPad + u + l], dzf, dcp));
            }
            s.dz[dzAt + l] = dzi;
            s.dz[dzAt + L + l] = dzf;
            s.dz[dzAt + 2 * L + l] = dzg;
            s.dz[dzAt + 3 * L + l] = dzo;
            ws.dhN[row + l] = dhp;
            ws.dcN[row + l] = dcp;
        }
    }
}
