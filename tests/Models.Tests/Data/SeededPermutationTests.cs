using SparseCore.Models.Data;

namespace SparseCore.Models.Tests.Data;

public class SeededPermutationTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(1000)]
    public void IsAPermutation(int count)
    {
        var order = SeededPermutation.Create(count, seed: 123, stream: 4);
        Assert.Equal(Enumerable.Range(0, count), order.Order());
    }

    [Fact]
    public void DependsOnSeedAndStreamOnly()
    {
        Assert.Equal(SeededPermutation.Create(500, 1, 2), SeededPermutation.Create(500, 1, 2));
        Assert.NotEqual(SeededPermutation.Create(500, 1, 2), SeededPermutation.Create(500, 1, 3));
        Assert.NotEqual(SeededPermutation.Create(500, 1, 2), SeededPermutation.Create(500, 2, 2));
    }

    [Fact]
    public void PositionsAreRoughlyUniform()
    {
        // Where does element 0 land, over many streams? Each of 10 slots should get ~10%.
        var counts = new int[10];
        for (int stream = 0; stream < 20000; stream++)
            counts[Array.IndexOf(SeededPermutation.Create(10, 77, stream), 0)]++;
        Assert.All(counts, c => Assert.InRange(c, 1700, 2300));
    }
}
