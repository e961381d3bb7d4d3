using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SparseCore.Kernels.Layout;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Cpu;

/// <summary>
/// Layout kernels as row copies: each work item is an output row whose source is either contiguous
/// (a span copy) or one fixed stride apart (a gather loop). Rows are split in fixed chunks.
/// </summary>
public partial class CpuBackend
{
    protected override void RunPermute(DeviceBuffer<float> x, DeviceBuffer<float> y, in PermuteSpec spec)
    {
        var xa = ArrayOf(x); var ya = ArrayOf(y);
        var p = spec;
        int rows = p.Y0 * p.Y1 * p.Y2, len = p.Y3;
        CpuParallel.For(rows, Math.Max(1, ElementGrain / len), (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                int j2 = r % p.Y2, j01 = r / p.Y2, j1 = j01 % p.Y1, j0 = j01 / p.Y1;
                int src = j0 * p.S0 + j1 * p.S1 + j2 * p.S2;
                var dst = ya.AsSpan(r * len, len);
                if (p.S3 == 1) xa.AsSpan(src, len).CopyTo(dst);
                else for (int j = 0; j < len; j++) dst[j] = xa[src + j * p.S3];
            }
        });
    }

    protected override void RunCopyAxis(DeviceBuffer<float> x, DeviceBuffer<float> y, in AxisCopy copy)
    {
        var xa = ArrayOf(x); var ya = ArrayOf(y);
        var c = copy;
        int block = c.Length * c.Inner;
        CpuParallel.For(c.Outer, Math.Max(1, ElementGrain / block), (s, e) =>
        {
            for (int o = s; o < e; o++)
                xa.AsSpan((o * c.SrcAxis + c.SrcStart) * c.Inner, block).CopyTo(ya.AsSpan((o * c.DstAxis + c.DstStart) * c.Inner, block));
        });
    }

    protected override void RunPatchify(DeviceBuffer<float> x, DeviceBuffer<float> y, int n, int c, int h, int w, int patch)
        => PatchRows(ArrayOf(x), ArrayOf(y), n, c, h, w, patch, toPatches: true);

    protected override void RunPatchifyBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, int n, int c, int h, int w, int patch)
        => PatchRows(ArrayOf(dy), ArrayOf(dx), n, c, h, w, patch, toPatches: false);

    /// <summary>
    /// Walks the image rows (n, c, row): each row's w pixels are w/p runs of p contiguous values,
    /// run px landing at patch (row / p)·(w/p) + px, column (c·p + row % p)·p. Copies image → patches
    /// or, for the backward, patches → image.
    /// </summary>
    private static void PatchRows(float[] from, float[] to, int n, int c, int h, int w, int patch, bool toPatches)
    {
        int wp = w / patch, patches = h / patch * wp, width = c * patch * patch;
        CpuParallel.For(n * c * h, Math.Max(1, ElementGrain / w), (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                int row = r % h, nc = r / h, ch = nc % c, img = nc / c;
                int patchBase = (img * patches + row / patch * wp) * width + (ch * patch + row % patch) * patch;
                for (int px = 0; px < wp; px++)
                {
                    int image = r * w + px * patch, patched = patchBase + px * width;
                    if (toPatches) from.AsSpan(image, patch).CopyTo(to.AsSpan(patched, patch));
                    else from.AsSpan(patched, patch).CopyTo(to.AsSpan(image, patch));
                }
            }
        });
    }

    /// <summary>
    /// One output plane (n, c) per work item: zeros for a padded channel, else each row a strided
    /// gather. Planes, not rows: a row is only OutW (7–16) floats at ResNet shapes, and decoding
    /// (n, c, i) from a row index cost three integer divisions, more than the row's copy.
    /// </summary>
    protected override void RunSubsamplePad(DeviceBuffer<float> x, DeviceBuffer<float> y, in SubsamplePadShape shape)
    {
        var xa = ArrayOf(x); var ya = ArrayOf(y);
        var s = shape;
        CpuParallel.For(s.N * s.OutC, Math.Max(1, ElementGrain / (s.OutH * s.OutW)), (p0, p1) =>
        {
            int c = s.C, outC = s.OutC, h = s.H, w = s.W, stride = s.Stride, oh = s.OutH, ow = s.OutW;
            for (int p = p0; p < p1; p++)
            {
                int n = p / outC, ch = p - n * outC;
                var plane = ya.AsSpan(p * oh * ow, oh * ow);
                if (ch >= c)
                {
                    plane.Clear();
                    continue;
                }
                var from = xa.AsSpan((n * c + ch) * h * w, h * w);
                for (int i = 0; i < oh; i++)
                {
                    var dst = plane.Slice(i * ow, ow);
                    var src = from.Slice(i * stride * w);
                    if (stride == 1) src[..ow].CopyTo(dst);
                    else if (stride == 2 && Avx512F.IsSupported) EvenElements(src, dst);
                    else for (int j = 0; j < ow; j++) dst[j] = src[j * stride];
                }
            }
        });
    }

    /// <summary>
    /// dst[j] = src[2j]: 16 outputs from two masked loads and one two-source permute. Why: ResNet-20's
    /// option-A shortcuts gather every other float of 28- and 14-float rows, which one float at a
    /// time took 190 µs of a 10.5 ms forward at batch 32.
    /// </summary>
    private static unsafe void EvenElements(ReadOnlySpan<float> src, Span<float> dst)
    {
        var evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        fixed (float* s = src, d = dst)
            for (int j = 0; j < dst.Length; j += 16)
            {
                int outputs = Math.Min(16, dst.Length - j), inputs = Math.Min(32, src.Length - 2 * j);
                var lo = Avx512F.MaskLoad(s + 2 * j, Below(inputs), Vector512<float>.Zero);
                var hi = Avx512F.MaskLoad(s + 2 * j + 16, Below(inputs - 16), Vector512<float>.Zero);
                Avx512F.MaskStore(d + j, Below(outputs), Avx512F.PermuteVar16x32x2(lo, evens, hi));
            }
    }

    private static Vector512<float> Below(int count) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    /// <summary>One dx plane (n, c) per work item: zeros, with dy's rows scattered every Stride-th row and column.</summary>
    protected override void RunSubsamplePadBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, in SubsamplePadShape shape)
    {
        var dya = ArrayOf(dy); var dxa = ArrayOf(dx);
        var s = shape;
        CpuParallel.For(s.N * s.C, Math.Max(1, ElementGrain / (s.H * s.W)), (p0, p1) =>
        {
            int c = s.C, outC = s.OutC, h = s.H, w = s.W, stride = s.Stride, oh = s.OutH, ow = s.OutW;
            for (int p = p0; p < p1; p++)
            {
                int n = p / c, ch = p - n * c;
                var plane = dxa.AsSpan(p * h * w, h * w);
                var from = dya.AsSpan((n * outC + ch) * oh * ow, oh * ow);
                if (stride == 1)
                {
                    from.CopyTo(plane);
                    continue;
                }
                plane.Clear();
                for (int i = 0; i < oh; i++)
                {
                    var dst = plane.Slice(i * stride * w);
                    var src = from.Slice(i * ow, ow);
                    for (int j = 0; j < ow; j++) dst[j * stride] = src[j];
                }
            }
        });
    }
}
