using SparseCore.Models.Data;

namespace SparseCore.Models.Tests.Data;

public class PairedBatchesTests
{
    [Fact]
    public void Steps_alternate_the_first_and_the_second_loader_up_to_the_shorter_one()
    {
        var data = SyntheticDataset.Create(50, 1, 4, 4, 3, seed: 1);
        using var first = new DataLoader(data, 10, shuffle: true, seed: 1);
        using var second = new DataLoader(data, 20, shuffle: true, seed: 2);
        var paired = new PairedBatches(first, second);
        Assert.Equal(2 * 3, paired.BatchCount);
        var firstOrder = first.Order(1);
        var secondOrder = second.Order(1);
        int step = 0;
        foreach (var batch in paired.Epoch(1))
        {
            int pair = step / 2;
            var (order, size) = PairedBatches.IsFirst(step) ? (firstOrder, 10) : (secondOrder, 20);
            Assert.Equal(order.Skip(pair * size).Take(batch.Count), batch.Indices.Take(batch.Count));
            step++;
        }
        Assert.Equal(paired.BatchCount, step);
        Assert.Throws<ArgumentException>(() => new PairedBatches(first, first));
    }
}
