using SparseCore.Pass.Unstructured;

namespace SparseCore.Pass.Tests.Unstructured;

/// <summary>The global cut removes exactly ⌊s·N⌋ weights, the smallest scores, ties by global index.</summary>
public sealed class GlobalSelectionTests
{
    /// <summary>Sparsities as exact fractions num/den, so ⌊s·N⌋ is integer arithmetic here.</summary>
    public static TheoryData<int, int> Sparsities => new() { { 0, 10 }, { 1, 10 }, { 1, 4 }, { 1, 3 }, { 1, 2 }, { 7, 10 }, { 9, 10 }, { 99, 100 } };

    [Theory]
    [MemberData(nameof(Sparsities))]
    public void Removes_exactly_floor_s_N_for_every_N(int num, int den)
    {
        double s = (double)num / den;
        var rng = new Random(num * 1000 + den);
        for (int n = 1; n <= 300; n++)
        {
            // Two layers of uneven size; s·N is near an integer (0.7·30 = 20.999999999999996 in binary) wherever den divides num·N.
            int first = rng.Next(n + 1);
            var scores = new[] { Scores(rng, first), Scores(rng, n - first) };
            long expected = (long)num * n / den;
            Assert.Equal(expected, GlobalSelection.RemovedCount(s, n));
            var masks = GlobalSelection.Masks(scores, s);
            Assert.Equal(expected, UnstructuredKit.Removed(masks));
            Assert.All(masks.SelectMany(m => m), v => Assert.True(v is 0f or 1f));
        }
    }

    [Fact]
    public void Removes_the_smallest_scores_across_layers()
    {
        float[][] scores = [[0.5f, -2f, 3f], [0.1f, 7f], [1f, -0.5f, 4f]];
        float[][] expected = [[0f, 0f, 1f], [0f, 1f], [1f, 0f, 1f]];
        Assert.Equal(expected, GlobalSelection.Masks(scores, 4));
    }

    [Fact]
    public void All_equal_scores_remove_the_first_k_in_global_order()
    {
        float[][] scores = [Enumerable.Repeat(2f, 4).ToArray(), Enumerable.Repeat(2f, 6).ToArray()];
        float[][] expected = [[0f, 0f, 0f, 0f], [0f, 0f, 0f, 1f, 1f, 1f]];
        Assert.Equal(expected, GlobalSelection.Masks(scores, 0.7));
    }

    [Fact]
    public void Ties_at_the_cut_go_by_index_after_every_smaller_score()
    {
        // Global indices 0..6; the 1s are at 2 and 4, the 3s at 1, 3 and 6: removing 4 takes both 1s and the 3s at 1 and 3.
        float[][] scores = [[5f, 3f, 1f], [3f, 1f, 9f, 3f]];
        float[][] expected = [[1f, 0f, 0f], [0f, 0f, 1f, 1f]];
        Assert.Equal(expected, GlobalSelection.Masks(scores, 4));
    }

    [Fact]
    public void KthSmallest_matches_sorting_on_random_arrays_with_duplicates()
    {
        var rng = new Random(11);
        foreach (int n in new[] { 1, 2, 3, 5, 17, 64, 101, 999 })
        {
            for (int trial = 0; trial < 5; trial++)
            {
                // Few distinct values (many duplicates) on odd trials, continuous ones on even.
                var values = Enumerable.Range(0, n).Select(_ => trial % 2 == 1 ? rng.Next(5) : (float)rng.NextDouble() - 0.5f).ToArray();
                var sorted = values.OrderBy(v => v).ToArray();
                foreach (int k in new[] { 0, n / 3, n / 2, n - 1 })
                    Assert.Equal(sorted[k], GlobalSelection.KthSmallest((float[])values.Clone(), k));
            }
        }
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void A_non_finite_score_is_refused(float bad)
    {
        float[][] scores = [[1f, 2f], [3f, bad]];
        var e = Assert.Throws<ArgumentException>(() => GlobalSelection.Masks(scores, 0.5));
        Assert.Contains("finite", e.Message);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_sparsity_outside_0_to_1_is_refused(double s)
    {
        float[][] scores = [[1f, 2f, 3f]];
        Assert.Throws<ArgumentException>(() => GlobalSelection.Masks(scores, s));
        Assert.Throws<ArgumentException>(() => GlobalSelection.RemovedCount(s, 3));
    }

    private static float[] Scores(Random rng, int n) => Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
}
