using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Gemm;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Cpu;

// conv2d on the CPU: im2col per image into a per-thread scratch, then the packed SIMD GEMM
// (CpuGemm.Sgemm), so the convolution runs at GEMM speed once the patch matrix exists. The
// forward of a batch with an image per thread instead packs the patches straight into the GEMM's
// B panels (CpuImplicitConv.cs), skipping the patch matrix's round trip through memory.
//   forward         y_n[Cout, P]    = W[Cout, Cin·KH·KW] · cols_n[Cin·KH·KW, P]  (bias preloaded, beta = 1)
//   backward-data   cols_n          = Wᵀ · dy_n, then col2im scatters cols_n into dx_n
//   backward-weights dW             = Σ_n dy_n · cols_nᵀ, a group of images per GEMM (CpuConvWeightGrad.cs)
//                                    (or without cols: CpuLaneWeightGrad.cs, CpuShiftedWeightGrad.cs)
// with P = OutH·OutW. A 1×1, stride-1, unpadded conv needs no im2col: x_n already is cols_n.
//
// Threads: forward and backward-data give every image its own output, so with at least as many
// images as team threads the images are dealt out to the WorkerTeam, each running a one-thread
// GEMM (a GEMM called inside a team job runs solo); fewer images run in order with the GEMM itself
// parallel. Both give bit-identical results, since Sgemm's result never depends on its thread count.
// Backward-weights sums over the batch: fixed image ranges, each summed in order into its own
// partial, the partials added in order. The result depends on the inputs alone, not on thread
// count or timing.
public partial class CpuBackend
{
    protected override void RunConv2dForward(in Conv2dShape shape, DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float>? bias, DeviceBuffer<float> y,
                                             in ConvEpilogue epilogue)
    {
        var tail = new CpuEpilogue(epilogue.Residual is { } r ? ArrayOf(r) : null, epilogue.Relu);
        Conv2dForward(shape, ArrayOf(x), ArrayOf(w), bias is null ? null : ArrayOf(bias), ArrayOf(y), tail);
    }

    /// <summary>
    /// The pair fused where both convs take the shifted path (CpuShiftedPair; scaled weights copied
    /// first), else the two convs in turn.
    /// </summary>
    protected override void RunConv2dPairForward(in Conv2dShape first, in Conv2dShape second, DeviceBuffer<float> x, DeviceBuffer<float> w1, DeviceBuffer<float>? b1,
                                                 DeviceBuffer<float> w2, DeviceBuffer<float>? b2, DeviceBuffer<float> y, in ConvEpilogue epilogue,
                                                 DeviceBuffer<float>? scale1, DeviceBuffer<float>? scale2)
    {
        bool fits = !CpuLaneConv.Prefers(first) && !CpuLaneConv.Prefers(second)
                    && !CpuBatchedConv.PrefersForward(first) && !CpuBatchedConv.PrefersForward(second)
                    && CpuConv.UsesImplicitForward(first) && CpuConv.UsesImplicitForward(second)
                    && CpuShiftedPair.Fits(first, second);
        if (!fits)
        {
            base.RunConv2dPairForward(first, second, x, w1, b1, w2, b2, y, epilogue, scale1, scale2);
            return;
        }
        using var scaled1 = scale1 is null ? null : ScaledWeights(first, w1, scale1);
        using var scaled2 = scale2 is null ? null : ScaledWeights(second, w2, scale2);
        var (v1, v2) = (scaled1 ?? w1, scaled2 ?? w2);
        var tail = new CpuEpilogue(epilogue.Residual is { } r ? ArrayOf(r) : null, epilogue.Relu);
        if (!CpuImplicitConv.ForwardPair(first, second, ArrayOf(x), ArrayOf(v1), b1 is null ? null : ArrayOf(b1), ArrayOf(v2),
                                         b2 is null ? null : ArrayOf(b2), ArrayOf(y), tail))
            base.RunConv2dPairForward(first, second, x, v1, b1, v2, b2, y, epilogue, null, null);
    }

    public override bool ScalesConvWeights(in Conv2dShape shape) => CpuLaneConv.Prefers(shape);

    /// <summary>The lane form scales the weights as it packs them; the other forms take a scaled copy.</summary>
    protected override void RunConv2dForwardScaled(in Conv2dShape shape, DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> scale,
                                                   DeviceBuffer<float>? bias, DeviceBuffer<float> y, in ConvEpilogue epilogue)
    {
        if (!CpuLaneConv.Prefers(shape))
        {
            base.RunConv2dForwardScaled(shape, x, w, scale, bias, y, epilogue);
            return;
        }
        var tail = new CpuEpilogue(epilogue.Residual is { } r ? ArrayOf(r) : null, epilogue.Relu);
        CpuLaneConv.Forward(shape, ArrayOf(x), ArrayOf(w), bias is null ? null : ArrayOf(bias), ArrayOf(y), tail, ArrayOf(scale));
    }

    private static void Conv2dForward(in Conv2dShape shape, float[] xa, float[] wa, float[]? ba, float[] ya, CpuEpilogue epilogue)
    {
        var s = shape;
        if (CpuLaneConv.Prefers(s))
        {
            CpuLaneConv.Forward(s, xa, wa, ba, ya, epilogue);
            return;
        }
        if (CpuBatchedConv.PrefersForward(s))
        {
            CpuBatchedConv.Forward(s, xa, wa, ba, ya, epilogue);
            return;
        }
        if (CpuConv.UsesImplicitForward(s))
        {
            CpuImplicitConv.Forward(s, xa, wa, ba, ya, null, null, epilogue: epilogue);
            return;
        }
        int k = s.PatchSize, p = s.OutH * s.OutW, inPlane = s.Cin * s.H * s.W, outPlane = s.Cout * p;
        CpuConv.ForEachImage(s.N, n =>
        {
            var yn = ya.AsSpan(n * outPlane, outPlane);
            if (ba is not null)
                for (int co = 0; co < s.Cout; co++) yn.Slice(co * p, p).Fill(ba[co]);
            var xn = xa.AsSpan(n * inPlane, inPlane);
            ReadOnlySpan<float> cols = CpuConv.IsPointwise(s) ? xn : CpuConv.Im2Col(s, xn, CpuConv.Scratch((long)k * p));
            CpuGemm.Sgemm(false, false, s.Cout, p, k, 1f, wa.AsSpan(0, (int)s.WeightLength), cols, ba is null ? 0f : 1f, yn);
            if (!epilogue.IsNone) epilogue.Apply(yn, n * outPlane);
        });
    }

    protected override void RunConv2dBackwardData(in Conv2dShape shape, DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx)
    {
        var s = shape;
        float[] dya = ArrayOf(dy), wa = ArrayOf(w), dxa = ArrayOf(dx);
        // The lane form first: where it is the forward's fastest form, it is the data gradient's too
        // (ResNet-18's 512 @4×4 at batch 32: 11.9 ms against the batched form's 19.9; 256 @7×7 8.4
        // against the implicit form's 11.6; 128 @14×14 8.4 against 11.3).
        if (CpuConv.TransposedForward(s) is { } lane && CpuLaneConv.Prefers(lane))
        {
            CpuLaneConv.DataGradient(s, dya, wa, dxa);
            return;
        }
        if (CpuBatchedConv.Prefers(s))
        {
            CpuBatchedConv.DataGradient(s, dya, wa, dxa);
            return;
        }
        // A strided conv's, by stride phases on the lane form (ResNet-18's 64 → 128 from 28×28: 5.7 ms
        // against the patch-matrix GEMM and col2im's 8.7–9.1; 128 → 256 from 14×14 6.2 against 9.5;
        // ResNet-20's 32 → 64 0.69 against 1.07); under 32 outputs the batched GEMM stays faster
        // (256 → 512 from 7×7: 6.9 against 11.9).
        if (StridePhases.Prefers(s))
        {
            StridePhases.DataGradient(s, dya, wa, dxa);
            return;
        }
        if (CpuConv.TransposedForward(s) is { } t && CpuConv.UsesImplicitForward(t))
        {
            TransposedDataGradient(s, t, dya, wa, dxa);
            return;
        }
        int k = s.PatchSize, p = s.OutH * s.OutW, inPlane = s.Cin * s.H * s.W, outPlane = s.Cout * p;
        CpuConv.ForEachImage(s.N, n =>
        {
            var dyn = dya.AsSpan(n * outPlane, outPlane);
            var dxn = dxa.AsSpan(n * inPlane, inPlane);
            var wt = wa.AsSpan(0, (int)s.WeightLength);
            if (CpuConv.IsPointwise(s))
            {
                CpuGemm.Sgemm(true, false, s.Cin, p, s.Cout, 1f, wt, dyn, 0f, dxn);
                return;
            }
            var cols = CpuConv.Scratch((long)k * p);
            CpuGemm.Sgemm(true, false, k, p, s.Cout, 1f, wt, dyn, 0f, cols);
            CpuConv.Col2Im(s, cols, dxn);
        });
    }

    /// <summary>
    /// A stride-1 conv's data gradient is itself a stride-1 conv: dy convolved with the weights
    /// flipped in space and with in and out swapped, padded by K − 1 − pad. Running it on the
    /// forward's implicit kernels skips the patch matrix and col2im's scatter, which made the data
    /// gradient run at half the forward's speed. (The lane form, ahead of this, needs no flipped copy.)
    /// </summary>
    private static void TransposedDataGradient(in Conv2dShape s, in Conv2dShape t, float[] dy, float[] w, float[] dx)
    {
        int area = s.KH * s.KW;
        float[] flipped = System.Buffers.ArrayPool<float>.Shared.Rent((int)s.WeightLength);
        try
        {
            // Written in order, split over the team: flipped on one thread with its writes Cout·taps
            // floats apart, 512 → 512 channels' 9.4 MB took a millisecond more (13.3 against 12.3 ms).
            var shape = s;
            CpuParallel.For(s.Cin, Math.Max(1, ElementGrain / Math.Max(1, s.Cout * area)), (c0, c1) =>
            {
                for (int ci = c0; ci < c1; ci++)
                    for (int co = 0; co < shape.Cout; co++)
                    {
                        int from = (co * shape.Cin + ci) * area, to = (ci * shape.Cout + co) * area;
                        for (int r = 0; r < area; r++) flipped[to + r] = w[from + area - 1 - r];
                    }
            });
            CpuImplicitConv.Forward(t, dy, flipped, null, dx, null, null);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(flipped);
        }
    }

    protected override void RunConv2dBackwardWeights(in Conv2dShape shape, DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float>? dbias)
    {
        var s = shape;
        float[] xa = ArrayOf(x), dya = ArrayOf(dy);
        int p = s.OutH * s.OutW, outPlane = s.Cout * p;
        if (CpuLaneWeightGrad.Prefers(s)) CpuLaneWeightGrad.Run(s, xa, dya, ArrayOf(dw));
        else if (CpuShiftedWeightGrad.Prefers(s)) CpuShiftedWeightGrad.Run(s, xa, dya, ArrayOf(dw));
        else CpuConvWeightGrad.Run(s, xa, dya, ArrayOf(dw));
        if (dbias is null) return;
        var dba = ArrayOf(dbias);
        CpuParallel.For(s.Cout, Math.Max(1, ElementGrain / Math.Max(1, s.N * p)), (c0, c1) =>
        {
            for (int co = c0; co < c1; co++)
            {
                double sum = 0;
                for (int n = 0; n < s.N; n++) sum += WideSum.Sum(dya.AsSpan(n * outPlane + co * p, p));
                dba[co] = (float)sum;
            }
        });
    }
}
