using System.Numerics.Tensors;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Cpu;

/// <summary>Axis reductions over [outer, axis, inner]; every output is summed in a fixed order.</summary>
public partial class CpuBackend
{
    protected override void RunReduceSum(DeviceBuffer<float> x, DeviceBuffer<float> y, int outer, int axis, int inner, float scale)
    {
        var xa = ArrayOf(x); var ya = ArrayOf(y);
        if (inner == 1)
        {
            CpuParallel.For(outer, Math.Max(1, ElementGrain / axis), (s, e) =>
            {
                for (int o = s; o < e; o++) ya[o] = (float)(scale * WideSum.Sum(xa.AsSpan(o * axis, axis)));
            });
            return;
        }
        // Rows of length inner are added in increasing axis order into double accumulators (sums
        // that cancel keep fp32 accuracy), chunked over inner so that even outer = 1 splits across cores.
        int innerGrain = Math.Clamp(ElementGrain / axis, 64, 2048);
        int innerChunks = (inner + innerGrain - 1) / innerGrain;
        CpuParallel.For(outer * innerChunks, 1, (s, e) =>
        {
            Span<double> acc = stackalloc double[innerGrain];
            for (int job = s; job < e; job++)
            {
                int o = job / innerChunks;
                int i0 = job % innerChunks * innerGrain;
                int len = Math.Min(innerGrain, inner - i0);
                var sum = acc[..len];
                sum.Clear();
                for (int a = 0; a < axis; a++)
                {
                    var row = xa.AsSpan((o * axis + a) * inner + i0, len);
                    for (int i = 0; i < len; i++) sum[i] += row[i];
                }
                var dst = ya.AsSpan(o * inner + i0, len);
                for (int i = 0; i < len; i++) dst[i] = (float)(scale * sum[i]);
            }
        });
    }

    protected override void RunReduceSumBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, int outer, int axis, int inner, float scale)
    {
        var dya = ArrayOf(dy); var dxa = ArrayOf(dx);
        CpuParallel.For(outer * axis, Math.Max(1, ElementGrain / inner), (s, e) =>
        {
            for (int row = s; row < e; row++)
            {
                int o = row / axis;
                var dst = dxa.AsSpan(row * inner, inner);
                if (inner == 1) dst[0] = scale * dya[o];
                else TensorPrimitives.Multiply(dya.AsSpan(o * inner, inner), scale, dst);
            }
        });
    }

    protected override void RunReduceMax(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> argmax, int outer, int axis, int inner)
    {
        var xa = ArrayOf(x); var ya = ArrayOf(y); var ia = ArrayOf(argmax);
        CpuParallel.For(outer * inner, Math.Max(1, ElementGrain / axis), (s, e) =>
        {
            for (int job = s; job < e; job++)
            {
                int o = job / inner, i = job % inner;
                int baseIndex = o * axis * inner + i;
                float best = xa[baseIndex];
                int bestA = 0;
                for (int a = 1; a < axis; a++)
                {
                    float v = xa[baseIndex + a * inner];
                    // NaN wins so that a diverged model shows NaN instead of a plausible maximum.
                    if (v > best || (float.IsNaN(v) && !float.IsNaN(best))) { best = v; bestA = a; }
                }
                ya[job] = best;
                ia[job] = bestA;
            }
        });
    }

    protected override void RunReduceMaxBackward(DeviceBuffer<float> dy, DeviceBuffer<int> argmax, DeviceBuffer<float> dx, int outer, int axis, int inner)
    {
        var dya = ArrayOf(dy); var ia = ArrayOf(argmax); var dxa = ArrayOf(dx);
        CpuParallel.For(outer * inner, Math.Max(1, ElementGrain / axis), (s, e) =>
        {
            for (int job = s; job < e; job++)
            {
                int o = job / inner, i = job % inner;
                int baseIndex = o * axis * inner + i;
                for (int a = 0; a < axis; a++) dxa[baseIndex + a * inner] = a == ia[job] ? dya[job] : 0f;
            }
        });
    }

    protected override void RunCountEqual(DeviceBuffer<int> a, DeviceBuffer<int> b, int n, DeviceBuffer<float> result, int resultIndex)
    {
        ReadOnlySpan<int> x = Span(a)[..n], y = Span(b)[..n];
        int count = 0;
        for (int i = 0; i < n; i++) if (x[i] == y[i]) count++;
        Span(result)[resultIndex] = count;
    }
}
