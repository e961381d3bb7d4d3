using SparseCore.Kernels.Conv;

namespace SparseCore.Kernels.Tests.Conv;

/// <summary>
/// The lane form's tiles and their tap tables (LaneTiling): every output position is a tile row
/// exactly once, each row's tile reads every tap of its that lands inside the image (a missing one
/// would change the sum) and nothing outside the zero-bordered image, and at small padded outputs
/// the tiles really skip the padding's taps; one tiling serves every call of a geometry.
/// LaneConvTests check the sums the tables lead to.
/// </summary>
public class LaneTilingTests
{
    public static TheoryData<int, int, int, int, int, int, int, int, int> Shapes() => new()
    {
        // images, cin, h, w, k, stride, pad, block taps, lanes
        { 32, 512, 4, 4, 3, 1, 1, 512, 64 },
        { 5, 70, 7, 7, 3, 1, 1, 512, 64 },
        { 4, 11, 7, 7, 3, 2, 1, 40, 64 },       // 7 → 4: the last row and column lose their third tap
        { 3, 13, 9, 11, 5, 1, 2, 100, 64 },
        { 6, 37, 7, 7, 1, 2, 0, 512, 64 },
        { 1, 3, 3, 5, 3, 1, 1, 512, 64 },
        { 3, 21, 14, 14, 3, 1, 1, 512, 32 },   // 12-position tiles
        { 2, 5, 9, 9, 3, 2, 1, 512, 32 },
        { 2, 6, 10, 9, 3, 1, 1, 512, 16 },     // 24-position tiles
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Each_position_is_one_row_whose_tile_reads_all_its_taps_inside_the_image(int images, int cin, int h, int w, int k, int stride, int pad, int blockTaps, int lanes)
    {
        var s = new Conv2dShape(images, cin, h, w, lanes, k, k, stride, stride, pad, pad);
        int hp = h + 2 * pad, wp = w + 2 * pad, plane = hp * wp, imageFloats = cin * plane, p = s.OutH * s.OutW;
        var tiling = LaneTiling.For(s, images, imageFloats, blockTaps, lanes);

        int most = Math.Max(1, blockTaps / (k * k));
        Assert.InRange(tiling.BlockChannels, 1, most);
        Assert.True((cin + tiling.BlockChannels - 1) / tiling.BlockChannels == (cin + most - 1) / most, "as few blocks as the limit allows");
        var seen = new bool[images * p];
        for (int t = 0; t < tiling.Tiles; t++)
        {
            var taps = new HashSet<(long Input, long Weight)>();
            foreach (long tap in tiling.Taps(t, tiling.BlockChannels)) taps.Add(((int)tap, tap >>> 32));
            Assert.Equal(384 / lanes, tiling.MR);
            for (int row = t * tiling.MR; row < (t + 1) * tiling.MR; row++)
            {
                int slot = tiling.Slots[row], image = slot / p, pixel = slot % p, oh = pixel / s.OutW, ow = pixel % s.OutW;
                seen[slot] = true;
                Assert.Equal(image * imageFloats + oh * stride * wp + ow * stride, tiling.RowOffsets[row]);
                for (int c = 0; c < tiling.BlockChannels; c++)
                    for (int r = 0; r < k; r++)
                        for (int q = 0; q < k; q++)
                        {
                            int ih = oh * stride - pad + r, iw = ow * stride - pad + q;
                            if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                            Assert.Contains(((long)c * plane + r * wp + q, ((long)c * k * k + r * k + q) * lanes), taps);
                        }
                foreach (var (input, weight) in taps)
                {
                    // Each pair's input is its weight's tap, and that tap stays within the zero-bordered image.
                    long tap = weight / lanes, c = tap / (k * k), r = tap / k % k, q = tap % k;
                    Assert.Equal(c * plane + r * wp + q, input);
                    Assert.True(c < tiling.BlockChannels && oh * stride + r < hp && ow * stride + q < wp, $"tap {tap} leaves the padded image");
                }
            }
        }
        Assert.All(seen, Assert.True);
    }

    [Fact]
    public void Border_tiles_skip_the_padding_taps_of_a_4x4_output()
    {
        var s = new Conv2dShape(32, 512, 4, 4, 512, 3, 3, 1, 1, 1, 1);
        var tiling = LaneTiling.For(s, 32, 512 * 36, 512, 64);
        long read = 0;
        for (int t = 0; t < tiling.Tiles; t++) read += tiling.Taps(t, 1).Length;
        // Inside the image: 4×4 outputs of a 3×3 kernel see (2.5/3)² = 69 % of their taps; allow a few mixed tiles.
        double share = (double)read / (tiling.Tiles * 9);
        Assert.InRange(share, 0.69, 0.72);
    }

    [Fact]
    public void A_tiling_is_built_once_per_geometry_and_shared()
    {
        var a = new Conv2dShape(32, 40, 14, 14, 64, 3, 3, 1, 1, 1, 1);
        var first = LaneTiling.For(a, 3, 40 * 256, 512, 64);
        Assert.Same(first, LaneTiling.For(a with { N = 7, Cout = 128 }, 3, 40 * 256, 512, 64));   // batch and panel count do not change it
        Assert.NotSame(first, LaneTiling.For(a, 2, 40 * 256, 512, 64));
        Assert.NotSame(first, LaneTiling.For(a with { Cin = 41 }, 3, 41 * 256, 512, 64));
        Assert.NotSame(first, LaneTiling.For(a with { Cout = 32 }, 3, 40 * 256, 512, 32));
    }
}
