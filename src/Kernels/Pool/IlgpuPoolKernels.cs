using ILGPU;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Kernels.Pool;

/// <summary>
/// Pooling as flat launches: the forwards one thread per output (neighbouring threads read
/// neighbouring windows), the backwards one thread per input gathering the few outputs whose
/// window covers it, so overlapping windows need no atomics. Same loops, order and tie rule as
/// the CPU backend, so results match it bit for bit.
/// </summary>
internal static class IlgpuPoolKernels
{
    [IlgpuKernel]
    internal static void MaxPool2d(Index1D t, ArrayView<float> x, ArrayView<float> y, ArrayView<int> argmax, Pool2dShape s, int n)
    {
        int oh = s.OutH, ow = s.OutW;
        int stride = IlgpuElementwiseKernels.Threads(n);
        for (int e = 0, o = t; e < IlgpuElementwiseKernels.ElementsPerThread && o < n; e++, o += stride)
        {
            int c = o % ow, r = o / ow % oh, p = o / (ow * oh);
            int h0 = Math.Max(0, r * s.Stride - s.Padding), h1 = Math.Min(s.H, r * s.Stride - s.Padding + s.Kernel);
            int w0 = Math.Max(0, c * s.Stride - s.Padding), w1 = Math.Min(s.W, c * s.Stride - s.Padding + s.Kernel);
            int planeBase = p * s.H * s.W;
            int best = h0 * s.W + w0;
            float bestValue = x[planeBase + best];
            for (int h = h0; h < h1; h++)
                for (int w = w0; w < w1; w++)
                {
                    float v = x[planeBase + h * s.W + w];
                    if (v > bestValue || (float.IsNaN(v) && !float.IsNaN(bestValue))) { bestValue = v; best = h * s.W + w; }
                }
            y[o] = bestValue;
            argmax[o] = best;
        }
    }

    [IlgpuKernel]
    internal static void MaxPool2dBackward(Index1D t, ArrayView<float> dy, ArrayView<int> argmax, ArrayView<float> dx, Pool2dShape s, int n)
    {
        int oh = s.OutH, ow = s.OutW;
        int stride = IlgpuElementwiseKernels.Threads(n);
        for (int e = 0, i = t; e < IlgpuElementwiseKernels.ElementsPerThread && i < n; e++, i += stride)
        {
            int w = i % s.W, h = i / s.W % s.H, p = i / (s.W * s.H);
            Pool2dShape.Covering(h, s.Kernel, s.Stride, s.Padding, oh, out int r0, out int r1);
            Pool2dShape.Covering(w, s.Kernel, s.Stride, s.Padding, ow, out int c0, out int c1);
            int self = h * s.W + w;
            float acc = 0f;
            for (int r = r0; r <= r1; r++)
                for (int c = c0; c <= c1; c++)
                {
                    int o = (p * oh + r) * ow + c;
                    if (argmax[o] == self) acc += dy[o];
                }
            dx[i] = acc;
        }
    }

    [IlgpuKernel]
    internal static void AvgPool2d(Index1D t, ArrayView<float> x, ArrayView<float> y, Pool2dShape s, int n)
    {
        int oh = s.OutH, ow = s.OutW;
        float inv = 1f / (s.Kernel * s.Kernel);
        int stride = IlgpuElementwiseKernels.Threads(n);
        for (int e = 0, o = t; e < IlgpuElementwiseKernels.ElementsPerThread && o < n; e++, o += stride)
        {
            int c = o % ow, r = o / ow % oh, p = o / (ow * oh);
            int h0 = Math.Max(0, r * s.Stride - s.Padding), h1 = Math.Min(s.H, r * s.Stride - s.Padding + s.Kernel);
            int w0 = Math.Max(0, c * s.Stride - s.Padding), w1 = Math.Min(s.W, c * s.Stride - s.Padding + s.Kernel);
            int planeBase = p * s.H * s.W;
            float acc = 0f;
            for (int h = h0; h < h1; h++)
                for (int w = w0; w < w1; w++) acc += x[planeBase + h * s.W + w];
            y[o] = acc * inv;
        }
    }

    [IlgpuKernel]
    internal static void AvgPool2dBackward(Index1D t, ArrayView<float> dy, ArrayView<float> dx, Pool2dShape s, int n)
    {
        int oh = s.OutH, ow = s.OutW;
        float inv = 1f / (s.Kernel * s.Kernel);
        int stride = IlgpuElementwiseKernels.Threads(n);
        for (int e = 0, i = t; e < IlgpuElementwiseKernels.ElementsPerThread && i < n; e++, i += stride)
        {
            int w = i % s.W, h = i / s.W % s.H, p = i / (s.W * s.H);
            Pool2dShape.Covering(h, s.Kernel, s.Stride, s.Padding, oh, out int r0, out int r1);
            Pool2dShape.Covering(w, s.Kernel, s.Stride, s.Padding, ow, out int c0, out int c1);
            float acc = 0f;
            for (int r = r0; r <= r1; r++)
                for (int c = c0; c <= c1; c++) acc += dy[(p * oh + r) * ow + c];
            dx[i] = acc * inv;
        }
    }
}
