using SparseCore.Kernels.Gemm;

namespace SparseCore.Kernels.Tests.Gemm;

/// <summary>
/// PanelTranspose against the element-by-element definition, bit for bit, with guard floats after
/// the panel: lengths around the 8-column blocks, fewer rows than lanes (zero rows), panel widths
/// below 8 (whose stores spill into the next row) and above it.
/// </summary>
public unsafe class PanelTransposeTests
{
    private const float Guard = -12345f;

    [Theory]
    [InlineData(6, 6, 1)]
    [InlineData(6, 6, 7)]
    [InlineData(6, 6, 8)]
    [InlineData(6, 6, 9)]
    [InlineData(6, 6, 64)]
    [InlineData(5, 6, 1023)]
    [InlineData(1, 6, 17)]
    [InlineData(4, 4, 33)]
    [InlineData(3, 4, 16)]
    [InlineData(8, 8, 40)]
    [InlineData(8, 64, 29)]
    [InlineData(7, 64, 16)]
    public void MatchesDefinition(int rows, int ldd, int len)
    {
        const int lds = 1031;
        var rnd = new System.Random(rows * 100 + len);
        float[] src = new float[rows * lds];
        for (int i = 0; i < src.Length; i++) src[i] = (float)rnd.NextDouble() - 0.5f;
        int lanes = Math.Min(8, ldd), size = (len - 1) * ldd + lanes;
        float[] dst = Enumerable.Repeat(float.NaN, size + 16).ToArray();
        for (int i = size; i < dst.Length; i++) dst[i] = Guard;
        fixed (float* s = src, d = dst) PanelTranspose.Rows(s, lds, rows, len, d, ldd);

        for (int p = 0; p < len; p++)
            for (int i = 0; i < lanes; i++)
            {
                float expected = i < rows ? src[i * lds + p] : 0f;
                Assert.True(expected.Equals(dst[p * ldd + i]), $"d[{p}·{ldd} + {i}] = {dst[p * ldd + i]}, expected {expected}");
            }
        for (int i = size; i < dst.Length; i++)
            Assert.True(dst[i] == Guard, $"the transpose wrote past its panel at {i - size} floats after it");
    }

    [Theory]
    [InlineData(8, 64, 29)]
    [InlineData(6, 6, 17)]
    [InlineData(3, 8, 16)]
    public void Scales_each_row_as_one_product(int rows, int ldd, int len)
    {
        const int lds = 37;
        var rnd = new System.Random(rows + len);
        float[] src = new float[rows * lds], scale = new float[rows];
        for (int i = 0; i < src.Length; i++) src[i] = (float)rnd.NextDouble() - 0.5f;
        for (int i = 0; i < rows; i++) scale[i] = (float)rnd.NextDouble() * 3 - 1.5f;
        int lanes = Math.Min(8, ldd);
        float[] dst = new float[(len - 1) * ldd + lanes];
        fixed (float* s = src, d = dst, k = scale) PanelTranspose.Rows(s, lds, rows, len, d, ldd, k);
        for (int p = 0; p < len; p++)
            for (int i = 0; i < lanes; i++)
            {
                float expected = i < rows ? src[i * lds + p] * scale[i] : 0f;
                Assert.True(expected.Equals(dst[p * ldd + i]), $"d[{p}·{ldd} + {i}] = {dst[p * ldd + i]}, expected {expected}");
            }
    }
}
