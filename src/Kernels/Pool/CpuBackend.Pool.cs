using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Pool;

namespace SparseCore.Kernels.Cpu;

/// <summary>Max and average pooling, one NCHW plane per work item (planes are independent).</summary>
public partial class CpuBackend
{
    private const int PoolGrain = 1 << 14;

    protected override void RunMaxPool2d(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> argmax, Pool2dShape s)
    {
        var xa = ArrayOf(x); var ya = ArrayOf(y); var ia = ArrayOf(argmax);
        CpuParallel.For(s.Planes, Math.Max(1, PoolGrain / (s.H * s.W)), (p0, p1) => MaxPoolPlanes(xa, ya, ia, s, p0, p1));
    }

    private static void MaxPoolPlanes(float[] xa, float[] ya, int[] ia, Pool2dShape s, int p0, int p1)
    {
        int height = s.H, width = s.W, k = s.Kernel, stride = s.Stride, pad = s.Padding;
        int oh = s.OutH, ow = s.OutW, plane = height * width;
        for (int p = p0; p < p1; p++)
        {
            var xp = xa.AsSpan(p * plane, plane);
            int o = p * oh * ow;
            for (int r = 0; r < oh; r++)
            {
                int h0 = Math.Max(0, r * stride - pad), h1 = Math.Min(height, r * stride - pad + k);
                for (int c = 0; c < ow; c++, o++)
                {
                    int w0 = Math.Max(0, c * stride - pad), w1 = Math.Min(width, c * stride - pad + k);
                    int best = h0 * width + w0;
                    float bestValue = xp[best];
                    for (int h = h0; h < h1; h++)
                        for (int at = h * width + w0, end = h * width + w1; at < end; at++)
                        {
                            float v = xp[at];
                            // Selects rather than branches: on real activations the comparison is a coin toss.
                            bool wins = v > bestValue | (float.IsNaN(v) & !float.IsNaN(bestValue));
                            bestValue = wins ? v : bestValue;
                            best = wins ? at : best;
                        }
                    ya[o] = bestValue;
                    ia[o] = best;
                }
            }
        }
    }

    /// <summary>
    /// Scatters each plane's outputs in increasing order into its own zeroed dx plane: one worker
    /// owns a plane, so no atomics, and every dx element receives its terms in the order the ILGPU
    /// kernel's gather adds them (outputs ascending).
    /// </summary>
    protected override void RunMaxPool2dBackward(DeviceBuffer<float> dy, DeviceBuffer<int> argmax, DeviceBuffer<float> dx, Pool2dShape s)
    {
        var dya = ArrayOf(dy); var ia = ArrayOf(argmax); var dxa = ArrayOf(dx);
        int plane = s.H * s.W, outPlane = s.OutH * s.OutW;
        CpuParallel.For(s.Planes, Math.Max(1, PoolGrain / plane), (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                var dxp = dxa.AsSpan(p * plane, plane);
                dxp.Clear();
                for (int o = p * outPlane; o < (p + 1) * outPlane; o++) dxp[ia[o]] += dya[o];
            }
        });
    }

    protected override void RunAvgPool2d(DeviceBuffer<float> x, DeviceBuffer<float> y, Pool2dShape s)
    {
        var xa = ArrayOf(x); var ya = ArrayOf(y);
        int oh = s.OutH, ow = s.OutW, plane = s.H * s.W, outPlane = oh * ow;
        float inv = 1f / (s.Kernel * s.Kernel);
        CpuParallel.For(s.Planes, Math.Max(1, PoolGrain / plane), (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                var xp = xa.AsSpan(p * plane, plane);
                for (int r = 0; r < oh; r++)
                {
                    int h0 = Math.Max(0, r * s.Stride - s.Padding), h1 = Math.Min(s.H, r * s.Stride - s.Padding + s.Kernel);
                    for (int c = 0; c < ow; c++)
                    {
                        int w0 = Math.Max(0, c * s.Stride - s.Padding), w1 = Math.Min(s.W, c * s.Stride - s.Padding + s.Kernel);
                        float acc = 0f;
                        for (int h = h0; h < h1; h++)
                            for (int w = w0; w < w1; w++) acc += xp[h * s.W + w];
                        ya[p * outPlane + r * ow + c] = acc * inv;
                    }
                }
            }
        });
    }

    protected override void RunAvgPool2dBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, Pool2dShape s)
    {
        var dya = ArrayOf(dy); var dxa = ArrayOf(dx);
        int oh = s.OutH, ow = s.OutW, plane = s.H * s.W, outPlane = oh * ow;
        float inv = 1f / (s.Kernel * s.Kernel);
        CpuParallel.For(s.Planes, Math.Max(1, PoolGrain / plane), (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
                for (int h = 0; h < s.H; h++)
                {
                    Pool2dShape.Covering(h, s.Kernel, s.Stride, s.Padding, oh, out int r0, out int r1);
                    for (int w = 0; w < s.W; w++)
                    {
                        Pool2dShape.Covering(w, s.Kernel, s.Stride, s.Padding, ow, out int c0, out int c1);
                        float acc = 0f;
                        for (int r = r0; r <= r1; r++)
                            for (int c = c0; c <= c1; c++) acc += dya[p * outPlane + r * ow + c];
                        dxa[p * plane + h * s.W + w] = acc * inv;
                    }
                }
        });
    }
}
