using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Sparse;

namespace SparseCore.Kernels.Tests.Sparse;

/// <summary>
/// The compressed-row format itself: rows in dense order, taps that unpack to the right (channel,
/// ky, kx), empty rows and an all-zero layer, what counts as zero, and one-line errors for bad
/// input.
/// </summary>
public class SparseWeightTests
{
    [Fact]
    public void Rows_hold_each_output_channels_nonzeros_in_dense_order()
    {
        using var backend = new CpuBackend();
        // [3, 2, 1, 2]: row 0 has two nonzeros, row 1 none, row 2 three.
        float[] dense = [0f, 1.5f, 0f, 5f, /**/ 0f, 0f, 0f, 0f, /**/ -2f, 0f, 3f, 4f];
        using var w = SparseWeight.FromConv(backend, dense, 3, 2, 1, 2);
        Assert.Equal(5, w.Nonzeros);
        Assert.Equal([0, 2, 2, 5], backend.ToArray(w.RowStartBuffer));
        Assert.Equal(new[] { 2, 0, 3 }, Enumerable.Range(0, 3).Select(w.RowNonzeros));
        Assert.Equal([1.5f, 5f, -2f, 3f, 4f], backend.ToArray(w.ValueBuffer));
        Assert.Equal(new[] { (0, 0, 1), (1, 0, 1), (0, 0, 0), (1, 0, 0), (1, 0, 1) },
                     backend.ToArray(w.TapBuffer).Select(t => (SparseTap.Channel(t), SparseTap.Row(t), SparseTap.Column(t))));
        Assert.Equal(dense, w.ToDense());
        Assert.Equal("SparseWeight([3, 2, 1, 2], 5 nonzeros on cpu)", w.ToString());
    }

    [Fact]
    public void Taps_round_trip_every_channel_and_kernel_offset_and_ascend_in_dense_order()
    {
        Assert.True(Conv2dShape.MaxKernel < 1 << SparseTap.KernelBits, "a kernel offset no longer fits its bits");
        int previous = -1;
        foreach (int c in new[] { 0, 1, 2, 511, SparseTap.MaxChannels - 1 })
            for (int ky = 0; ky < Conv2dShape.MaxKernel; ky++)
                for (int kx = 0; kx < Conv2dShape.MaxKernel; kx++)
                {
                    int tap = SparseTap.Encode(c, ky, kx);
                    Assert.Equal((c, ky, kx), (SparseTap.Channel(tap), SparseTap.Row(tap), SparseTap.Column(tap)));
                    Assert.True(tap > previous);
                    previous = tap;
                }
    }

    [Fact]
    public void A_random_pruned_weight_round_trips_and_counts_its_nonzeros()
    {
        using var backend = new CpuBackend();
        var rng = new System.Random(3);
        float[] dense = SparseConvCase.PrunedWeight(rng, 13, 7 * 3 * 3, 0.1, emptyRows: true);
        using var w = SparseWeight.FromConv(backend, dense, 13, 7, 3, 3);
        Assert.Equal(dense.Count(v => v != 0f), w.Nonzeros);
        Assert.Equal((double)w.Nonzeros / dense.Length, w.Density);
        Assert.Equal(0, w.RowNonzeros(1));
        Assert.Equal(dense, w.ToDense());
    }

    [Fact]
    public void An_all_zero_layer_is_legal_and_empty()
    {
        using var backend = new CpuBackend();
        using var conv = SparseWeight.FromConv(backend, new float[4 * 3 * 3 * 3], 4, 3, 3, 3);
        Assert.Equal(0, conv.Nonzeros);
        Assert.Equal(new int[5], backend.ToArray(conv.RowStartBuffer));
        Assert.Equal(0, conv.TapBuffer.Length);
        using var linear = SparseWeight.FromLinear(backend, new float[6], 2, 3);
        Assert.True(linear.IsLinear);
        Assert.Equal(0, linear.Nonzeros);
        Assert.Equal(new float[6], linear.ToDense());
    }

    [Fact]
    public void Negative_zero_is_pruned_and_NaN_is_kept()
    {
        using var backend = new CpuBackend();
        using var w = SparseWeight.FromLinear(backend, [-0f, float.NaN, 0f, 2f], 2, 2);
        Assert.Equal(2, w.Nonzeros);
        Assert.True(float.IsNaN(backend.ToArray(w.ValueBuffer)[0]));
    }

    public static TheoryData<string, string> BadBuilds() => new()
    {
        { "length", "Prune: weight has 17 values, [2, 3, 1, 3] needs 18" },
        { "kernel", "Prune: kernel 8×3 is outside 1×1 … 7×7" },
        { "extent", "Prune: every extent of weight [0, 3] must be ≥ 1" },
        { "channels", $"Prune: weight [1, {SparseTap.MaxChannels + 1}, 1, 1] has {SparseTap.MaxChannels + 1} input channels; a sparse entry can name at most {SparseTap.MaxChannels}" },
    };

    [Theory]
    [MemberData(nameof(BadBuilds))]
    public void Bad_weights_are_rejected_in_one_line_naming_the_op(string what, string message)
    {
        using var backend = new CpuBackend();
        Action build = what switch
        {
            "length" => () => SparseWeight.FromConv(backend, new float[17], 2, 3, 1, 3, "Prune"),
            "kernel" => () => SparseWeight.FromConv(backend, new float[2 * 3 * 8 * 3], 2, 3, 8, 3, "Prune"),
            "extent" => () => SparseWeight.FromLinear(backend, [], 0, 3, "Prune"),
            _ => () => SparseWeight.FromConv(backend, new float[1], 1, SparseTap.MaxChannels + 1, 1, 1, "Prune"),
        };
        var e = Assert.Throws<ArgumentException>(build);
        Assert.Equal(message, e.Message);
        Assert.Equal(0, backend.Pool.LiveBuffers);
    }

    [Fact]
    public void Dispose_releases_the_buffers_and_later_use_names_the_weight()
    {
        using var backend = new CpuBackend();
        var w = SparseWeight.FromLinear(backend, [1f, 0f, 0f, 2f], 2, 2);
        Assert.Equal(3, backend.Pool.LiveBuffers);
        w.Dispose();
        w.Dispose();
        Assert.True(w.IsDisposed);
        Assert.Equal(0, backend.Pool.LiveBuffers);
        Assert.Contains("sparse weight [2, 2] with 2 nonzeros was used after Dispose", Assert.Throws<ObjectDisposedException>(() => w.TapBuffer).Message);
    }
}
