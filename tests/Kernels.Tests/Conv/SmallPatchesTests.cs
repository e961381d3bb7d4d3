using SparseCore.Kernels.Conv;

namespace SparseCore.Kernels.Tests.Conv;

/// <summary>
/// The batched forward's small-image patch matrix (SmallPatches) against a plain element-by-element
/// reference: both the gather form and the one-by-one form, for output planes that are and are not
/// multiples of the 8-lane gather (16, 25, 9, 4 pixels), strides 1–3, non-square kernels and padding,
/// an image range that does not start at 0 — and nothing written outside the range's columns, which
/// another thread may own.
/// </summary>
public unsafe class SmallPatchesTests
{
    public static TheoryData<int, int, int, int, int, int, int, int, int> Shapes() => new()
    {
        { 3, 5, 4, 4, 3, 3, 1, 1, 1 },   // 4×4 → 4×4, two full gathers
        { 4, 3, 7, 7, 3, 3, 2, 2, 1 },   // stride 2, 7×7 → 4×4
        { 3, 2, 5, 5, 3, 3, 1, 1, 1 },   // 25 pixels: three gathers and a 1-lane tail
        { 5, 3, 7, 7, 1, 1, 2, 2, 0 },   // 1×1 stride 2 shortcut: 16 pixels
        { 2, 4, 9, 8, 3, 2, 3, 2, 1 },   // 3×2 kernel, strides (3, 2): 3×5 = 15 pixels
        { 3, 3, 3, 3, 3, 3, 1, 1, 0 },   // valid 3×3 on 3×3: one pixel
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Both_forms_equal_the_reference_and_write_only_their_images_columns(int n, int cin, int h, int w, int kh, int kw, int sh, int sw, int pad)
    {
        var s = new Conv2dShape(n, cin, h, w, 4, kh, kw, sh, sw, pad, Math.Min(pad, kw - 1));
        int p = s.OutH * s.OutW, first = 1, end = n, images = end - first, width = n * p + 3;
        var random = new System.Random(n * 101 + h);
        var x = new float[s.XLength];
        for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextDouble() * 2 - 1;
        var expected = Reference(s, x, first, end, width);
        foreach (bool vector in SmallPatches.Vectorised ? new[] { false, true } : new[] { false })
        {
            var cols = new float[(long)s.PatchSize * width];
            Array.Fill(cols, float.NaN);
            fixed (float* xp = x, cp = cols) SmallPatches.Gather(s, xp, first, end, cp, width, vector);
            for (int row = 0; row < s.PatchSize; row++)
                for (int col = 0; col < width; col++)
                {
                    float got = cols[row * width + col];
                    if (col < images * p) Assert.True(got == expected[row * width + col], $"vector={vector}: row {row}, column {col}: {got} against {expected[row * width + col]}");
                    else Assert.True(float.IsNaN(got), $"vector={vector}: row {row}, column {col} is past the range's columns but was written");
                }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_adjoint_equals_col2im_bit_for_bit_and_writes_only_its_images(int n, int cin, int h, int w, int kh, int kw, int sh, int sw, int pad)
    {
        var s = new Conv2dShape(n, cin, h, w, 4, kh, kw, sh, sw, pad, Math.Min(pad, kw - 1));
        int p = s.OutH * s.OutW, first = 1, end = n, width = n * p + 3, inPlane = cin * h * w;
        var random = new System.Random(n * 103 + h);
        var cols = new float[(long)s.PatchSize * width];
        for (int i = 0; i < cols.Length; i++) cols[i] = (float)random.NextDouble() * 2 - 1;
        var dx = new float[s.XLength];
        Array.Fill(dx, float.NaN);
        fixed (float* cp = cols, dp = dx) SmallPatches.ScatterAdd(s, cp, width, first, end, dp);
        Assert.All(dx.Take(first * inPlane), v => Assert.True(float.IsNaN(v), "an image outside the range was written"));
        for (int image = first; image < end; image++)
        {
            var expected = new float[inPlane];
            CpuConv.Col2Im(s, cols.AsSpan((image - first) * p), expected, width);
            for (int i = 0; i < inPlane; i++)
                Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(dx[image * inPlane + i]),
                            $"image {image}, element {i}: {dx[image * inPlane + i]} against col2im's {expected[i]}");
        }
    }

    [Fact]
    public void A_plane_too_large_for_the_stack_is_refused_by_name()
    {
        var s = new Conv2dShape(2, 1, 70, 70, 1, 3, 3, 1, 1, 1, 1);
        Assert.False(SmallPatches.Fits(s));
        var error = Assert.Throws<ArgumentException>(() =>
        {
            fixed (float* none = Array.Empty<float>()) SmallPatches.Gather(s, none, 0, 1, none, 1, false);
        });
        Assert.Contains("padded plane", error.Message);
    }

    /// <summary>cols[(ci·KH + r)·KW + t, (n − first)·P + q] = x[n, ci, oh·sh − ph + r, ow·sw − pw + t], read index by index.</summary>
    private static float[] Reference(in Conv2dShape s, float[] x, int first, int end, int width)
    {
        var cols = new float[(long)s.PatchSize * width];
        int p = s.OutH * s.OutW;
        for (int n = first; n < end; n++)
            for (int ci = 0; ci < s.Cin; ci++)
                for (int r = 0; r < s.KH; r++)
                    for (int t = 0; t < s.KW; t++)
                        for (int oh = 0; oh < s.OutH; oh++)
                            for (int ow = 0; ow < s.OutW; ow++)
                            {
                                int ih = oh * s.StrideH - s.PadH + r, iw = ow * s.StrideW - s.PadW + t;
                                bool inside = ih >= 0 && ih < s.H && iw >= 0 && iw < s.W;
                                cols[((ci * s.KH + r) * s.KW + t) * width + (n - first) * p + oh * s.OutW + ow] =
                                    inside ? x[((n * s.Cin + ci) * s.H + ih) * s.W + iw] : 0f;
                            }
        return cols;
    }
}
