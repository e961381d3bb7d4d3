using System.Numerics;
using System.Numerics.Tensors;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Norm;

namespace SparseCore.Kernels.Cpu;

/// <summary>
/// Batch-norm one channel per work item (its N planes summed in order into doubles), layer-norm
/// one row per work item; the layer-norm parameter gradients one column chunk per work item,
/// rows added in increasing order. Two-pass variance (mean first) so large means do not cancel.
/// </summary>
public partial class CpuBackend
{
    private const int NormGrain = 1 << 14;

    protected override void RunFoldBatchNorm(DeviceBuffer<float> weight, DeviceBuffer<float>? bias, DeviceBuffer<float> gamma, DeviceBuffer<float> beta,
                                             DeviceBuffer<float> runningMean, DeviceBuffer<float> runningVar, DeviceBuffer<float> foldedWeight,
                                             DeviceBuffer<float> foldedBias, int channels, int perChannel, float eps)
    {
        var wa = ArrayOf(weight); var ba = bias is null ? null : ArrayOf(bias); var ga = ArrayOf(gamma); var be = ArrayOf(beta);
        var rma = ArrayOf(runningMean); var rva = ArrayOf(runningVar); var fw = ArrayOf(foldedWeight); var fb = ArrayOf(foldedBias);
        CpuParallel.For(channels, Math.Max(1, NormGrain / perChannel), (c0, c1) =>
        {
            for (int c = c0; c < c1; c++)
            {
                float scale = NormMath.Rstd(rva[c], eps) * ga[c];
                fb[c] = ((ba is null ? 0f : ba[c]) - rma[c]) * scale + be[c];
                TensorPrimitives.Multiply(wa.AsSpan(c * perChannel, perChannel), scale, fw.AsSpan(c * perChannel, perChannel));
            }
        });
    }

    protected override void RunBatchNorm2d(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta,
                                           DeviceBuffer<float> runningMean, DeviceBuffer<float> runningVar, DeviceBuffer<float> y,
                                           DeviceBuffer<float> saveMean, DeviceBuffer<float> saveRstd, BatchNormShape s,
                                           bool training, float momentum, float eps)
    {
        var xa = ArrayOf(x); var ya = ArrayOf(y); var ga = ArrayOf(gamma); var ba = ArrayOf(beta);
        var rma = ArrayOf(runningMean); var rva = ArrayOf(runningVar); var sma = ArrayOf(saveMean); var sra = ArrayOf(saveRstd);
        int hw = s.Spatial, count = s.PerChannel;
        CpuParallel.For(s.C, Math.Max(1, NormGrain / count), (c0, c1) =>
        {
            for (int c = c0; c < c1; c++)
            {
                float mean, rstd;
                if (training)
                {
                    double sum = 0;
                    for (int n = 0; n < s.N; n++) sum += WideSum.Sum(xa.AsSpan((n * s.C + c) * hw, hw));
                    double mean64 = sum / count, squares = 0;
                    for (int n = 0; n < s.N; n++) squares += SquaredDeviations(xa.AsSpan((n * s.C + c) * hw, hw), mean64);
                    mean = (float)mean64;
                    float variance = (float)(squares / count);
                    rstd = NormMath.Rstd(variance, eps);
                    rma[c] = NormMath.Running(rma[c], mean, momentum);
                    rva[c] = NormMath.Running(rva[c], NormMath.Unbiased(variance, count), momentum);
                }
                else
                {
                    mean = rma[c];
                    rstd = NormMath.Rstd(rva[c], eps);
                }
                sma[c] = mean;
                sra[c] = rstd;
                float scale = rstd * ga[c];
                for (int n = 0; n < s.N; n++)
                    Normalize(xa.AsSpan((n * s.C + c) * hw, hw), ya.AsSpan((n * s.C + c) * hw, hw), mean, scale, ba[c]);
            }
        });
    }

    protected override void RunBatchNorm2dBackward(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> gamma,
                                                   DeviceBuffer<float> saveMean, DeviceBuffer<float> saveRstd,
                                                   DeviceBuffer<float> dx, DeviceBuffer<float> dgamma, DeviceBuffer<float> dbeta,
                                                   BatchNormShape s, bool training)
    {
        var xa = ArrayOf(x); var dya = ArrayOf(dy); var dxa = ArrayOf(dx); var ga = ArrayOf(gamma);
        var sma = ArrayOf(saveMean); var sra = ArrayOf(saveRstd); var dga = ArrayOf(dgamma); var dba = ArrayOf(dbeta);
        int hw = s.Spatial, count = s.PerChannel;
        CpuParallel.For(s.C, Math.Max(1, NormGrain / count), (c0, c1) =>
        {
            for (int c = c0; c < c1; c++)
            {
                float mean = sma[c], rstd = sra[c];
                double sumDy = 0, sumDyX = 0;
                for (int n = 0; n < s.N; n++)
                {
                    var (sum, dot) = WideSum.SumAndDot(dya.AsSpan((n * s.C + c) * hw, hw), xa.AsSpan((n * s.C + c) * hw, hw));
                    sumDy += sum;
                    sumDyX += dot;
                }
                // Σ dy·(x − mean) = Σ dy·x − mean·Σ dy: exact enough in double, and one pass.
                float dg = (float)(rstd * (sumDyX - mean * sumDy)), db = (float)sumDy;
                dga[c] = dg;
                dba[c] = db;
                float a = ga[c] * rstd;
                // Evaluation: the statistics are constants, so only the affine part remains.
                float shift = training ? a * db / count : 0f, slope = training ? a * rstd * dg / count : 0f;
                for (int n = 0; n < s.N; n++)
                {
                    int start = (n * s.C + c) * hw;
                    BatchNormDx(dya.AsSpan(start, hw), xa.AsSpan(start, hw), dxa.AsSpan(start, hw), a, shift, slope, mean);
                }
            }
        });
    }

    /// <summary>y = (x − mean)·scale + shift in one pass, rounded after each op as the ILGPU kernel does (no FMA).</summary>
    private static void Normalize(ReadOnlySpan<float> x, Span<float> y, float mean, float scale, float shift)
    {
        int w = Vector<float>.Count, i = 0;
        var vm = new Vector<float>(mean); var vs = new Vector<float>(scale); var vb = new Vector<float>(shift);
        for (; i + w <= y.Length; i += w)
            ((new Vector<float>(x[i..]) - vm) * vs + vb).CopyTo(y[i..]);
        for (; i < y.Length; i++) y[i] = (x[i] - mean) * scale + shift;
    }

    /// <summary>dx = a·dy − shift − (x − mean)·slope, the order the ILGPU kernel uses.</summary>
    private static void BatchNormDx(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx, float a, float shift, float slope, float mean)
    {
        int w = Vector<float>.Count, i = 0;
        var va = new Vector<float>(a); var vs = new Vector<float>(shift); var vk = new Vector<float>(slope); var vm = new Vector<float>(mean);
        for (; i + w <= dx.Length; i += w)
            (va * new Vector<float>(dy[i..]) - vs - (new Vector<float>(x[i..]) - vm) * vk).CopyTo(dx[i..]);
        for (; i < dx.Length; i++) dx[i] = a * dy[i] - shift - (x[i] - mean) * slope;
    }

    /// <summary>Σ (x − mean)² in double lanes.</summary>
    private static double SquaredDeviations(ReadOnlySpan<float> x, double mean)
    {
        var lo = Vector<double>.Zero; var hi = Vector<double>.Zero; var m = new Vector<double>(mean);
        int w = Vector<float>.Count, i = 0;
        for (; i + w <= x.Length; i += w)
        {
            Vector.Widen(new Vector<float>(x[i..]), out var a, out var b);
            a -= m; b -= m;
            lo += a * a; hi += b * b;
        }
        double s = Vector.Sum(lo + hi);
        for (; i < x.Length; i++) { double d = x[i] - mean; s += d * d; }
        return s;
    }

    protected override void RunLayerNorm(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta, DeviceBuffer<float> y,
                                         DeviceBuffer<float> saveMean, DeviceBuffer<float> saveRstd, int rows, int cols, float eps)
    {
        var xa = ArrayOf(x); var ya = ArrayOf(y); var ga = ArrayOf(gamma); var ba = ArrayOf(beta); var sma = ArrayOf(saveMean); var sra = ArrayOf(saveRstd);
        CpuParallel.For(rows, Math.Max(1, NormGrain / cols), (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                var xr = xa.AsSpan(r * cols, cols); var yr = ya.AsSpan(r * cols, cols);
                double mean64 = WideSum.Sum(xr) / cols;
                float mean = (float)mean64, rstd = NormMath.Rstd((float)(SquaredDeviations(xr, mean64) / cols), eps);
                sma[r] = mean;
                sra[r] = rstd;
                TensorPrimitives.Subtract(xr, mean, yr);
                TensorPrimitives.Multiply(yr, rstd, yr);
                TensorPrimitives.MultiplyAdd(yr, ga.AsSpan(0, cols), ba.AsSpan(0, cols), yr);
            }
        });
    }

    protected override void RunLayerNormBackward(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> gamma,
                                                 DeviceBuffer<float> saveMean, DeviceBuffer<float> saveRstd,
                                                 DeviceBuffer<float> dx, DeviceBuffer<float> dgamma, DeviceBuffer<float> dbeta, int rows, int cols)
    {
        var xa = ArrayOf(x); var dya = ArrayOf(dy); var dxa = ArrayOf(dx); var ga = ArrayOf(gamma);
        var sma = ArrayOf(saveMean); var sra = ArrayOf(saveRstd); var dga = ArrayOf(dgamma); var dba = ArrayOf(dbeta);
        CpuParallel.For(rows, Math.Max(1, NormGrain / cols), (r0, r1) =>
        {
            var xhat = new float[cols];
            for (int r = r0; r < r1; r++)
            {
                var dyr = dya.AsSpan(r * cols, cols); var g = dxa.AsSpan(r * cols, cols);
                float rstd = sra[r];
                TensorPrimitives.Subtract(xa.AsSpan(r * cols, cols), sma[r], xhat);
                TensorPrimitives.Multiply(xhat, rstd, xhat);
                TensorPrimitives.Multiply(dyr, ga.AsSpan(0, cols), g);
                float meanG = (float)(WideSum.Sum(g) / cols), meanGX = (float)(WideSum.Dot(g, xhat) / cols);
                // dx = rstd·(g − meanG − x̂·meanGX), built in place over g.
                TensorPrimitives.MultiplyAdd(xhat, -meanGX, g, g);
                TensorPrimitives.Subtract(g, meanG, g);
                TensorPrimitives.Multiply(g, rstd, g);
            }
        });
        const int columnChunk = 256;
        int chunks = (cols + columnChunk - 1) / columnChunk;
        CpuParallel.For(chunks, 1, (k0, k1) =>
        {
            var accGamma = new double[columnChunk]; var accBeta = new double[columnChunk];
            for (int k = k0; k < k1; k++)
            {
                int c0 = k * columnChunk, len = Math.Min(columnChunk, cols - c0);
                Array.Clear(accGamma); Array.Clear(accBeta);
                for (int r = 0; r < rows; r++)
                {
                    float mean = sma[r], rstd = sra[r];
                    int rowBase = r * cols + c0;
                    for (int i = 0; i < len; i++)
                    {
                        float d = dya[rowBase + i];
                        accGamma[i] += d * ((xa[rowBase + i] - mean) * rstd);
                        accBeta[i] += d;
                    }
                }
                for (int i = 0; i < len; i++)
                {
                    dga[c0 + i] = (float)accGamma[i];
                    dba[c0 + i] = (float)accBeta[i];
                }
            }
        });
    }
}
