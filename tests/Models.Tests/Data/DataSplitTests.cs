using SparseCore.Models.Data;

namespace SparseCore.Models.Tests.Data;

public class DataSplitTests
{
    [Fact]
    public void DefaultHoldsOutFiveThousandDisjointIndices()
    {
        var (train, validation) = DataSplit.TrainValidation(60000);

        Assert.Equal(5000, validation.Length);
        Assert.Equal(55000, train.Length);
        Assert.Empty(train.Intersect(validation));
        Assert.Equal(Enumerable.Range(0, 60000), train.Concat(validation).Order());
        Assert.Equal(validation.Order(), validation);
        Assert.Equal(train.Order(), train);
        Assert.NotEqual(Enumerable.Range(0, 5000), validation); // chosen at random, not the first 5000
    }

    [Fact]
    public void SameSeedSameSplitDifferentSeedDifferentSplit()
    {
        var a = DataSplit.TrainValidation(1000, 100, seed: 3);
        var b = DataSplit.TrainValidation(1000, 100, seed: 3);
        var c = DataSplit.TrainValidation(1000, 100, seed: 4);

        Assert.Equal(a.Validation, b.Validation);
        Assert.Equal(a.Train, b.Train);
        Assert.NotEqual(a.Validation, c.Validation);
    }

    [Fact]
    public void RejectsValidationLargerThanSet()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.TrainValidation(10, 11));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.TrainValidation(10, -1));
        var (train, validation) = DataSplit.TrainValidation(10, 10);
        Assert.Empty(train);
        Assert.Equal(10, validation.Length);
    }
}
