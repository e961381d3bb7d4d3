using System.Numerics.Tensors;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Cpu;

/// <summary>Row-wise softmax, log-softmax and the fused cross-entropy, one row per work item.</summary>
public partial class CpuBackend
{
    protected override void RunSoftmax(DeviceBuffer<float> x, DeviceBuffer<float> y, int rows, int cols, bool log)
    {
        var xa = ArrayOf(x); var ya = ArrayOf(y);
        CpuParallel.For(rows, Math.Max(1, ElementGrain / cols), (s, e) =>
        {
            for (int r = s; r < e; r++) SoftmaxRow(xa.AsSpan(r * cols, cols), ya.AsSpan(r * cols, cols), log);
        });
    }

    /// <summary>Max-shifted so exp never overflows; log-softmax as (x − max) − log Σ exp(x − max).</summary>
    private static void SoftmaxRow(ReadOnlySpan<float> x, Span<float> y, bool log)
    {
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);
        if (log)
        {
            float sum = 0f;
            for (int c = 0; c < y.Length; c++) sum += MathF.Exp(y[c]);
            TensorPrimitives.Subtract(y, MathF.Log(sum), y);
        }
        else
        {
            TensorPrimitives.Exp(y, y);
            TensorPrimitives.Divide(y, TensorPrimitives.Sum(y), y);
        }
    }

    protected override void RunSoftmaxBackward(DeviceBuffer<float> y, DeviceBuffer<float> dy, DeviceBuffer<float> dx, int rows, int cols, bool log)
    {
        var ya = ArrayOf(y); var dya = ArrayOf(dy); var dxa = ArrayOf(dx);
        CpuParallel.For(rows, Math.Max(1, ElementGrain / cols), (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                var yr = ya.AsSpan(r * cols, cols); var gr = dya.AsSpan(r * cols, cols); var dr = dxa.AsSpan(r * cols, cols);
                if (log)
                {
                    float sum = TensorPrimitives.Sum(gr);
                    for (int c = 0; c < cols; c++) dr[c] = gr[c] - MathF.Exp(yr[c]) * sum;
                }
                else
                {
                    float dot = TensorPrimitives.Dot(gr, yr);
                    for (int c = 0; c < cols; c++) dr[c] = yr[c] * (gr[c] - dot);
                }
            }
        });
    }

    protected override void RunCrossEntropy(DeviceBuffer<float> logits, DeviceBuffer<int> labels, DeviceBuffer<float> logProbs,
                                            DeviceBuffer<float> loss, int rows, int cols, float smoothing)
    {
        var xa = ArrayOf(logits); var la = ArrayOf(labels); var lpa = ArrayOf(logProbs); var lossa = ArrayOf(loss);
        CpuParallel.For(rows, Math.Max(1, ElementGrain / cols), (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                var lp = lpa.AsSpan(r * cols, cols);
                SoftmaxRow(xa.AsSpan(r * cols, cols), lp, log: true);
                float nll = -lp[la[r]];
                lossa[r] = smoothing == 0f ? nll : (1f - smoothing) * nll - smoothing / cols * TensorPrimitives.Sum(lp);
            }
        });
    }

    protected override void RunCrossEntropyBackward(DeviceBuffer<float> logProbs, DeviceBuffer<int> labels, DeviceBuffer<float> dloss,
                                                    DeviceBuffer<float> dlogits, int rows, int cols, float smoothing)
    {
        var lpa = ArrayOf(logProbs); var la = ArrayOf(labels); var dla = ArrayOf(dloss); var da = ArrayOf(dlogits);
        float offTarget = smoothing / cols;
        CpuParallel.For(rows, Math.Max(1, ElementGrain / cols), (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                float g = dla[r];
                int label = la[r];
                for (int c = 0; c < cols; c++)
                {
                    float target = (c == label ? 1f - smoothing : 0f) + offTarget;
                    da[r * cols + c] = g * (MathF.Exp(lpa[r * cols + c]) - target);
                }
            }
        });
    }
}
