namespace SparseCore.Models.Tests.Training;

/// <summary>
/// Heap measurements see every thread's allocations, so the tests that take them run alone, after
/// the parallel ones, instead of beside other test classes.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryCollection
{
    public const string Name = "memory measurements";
}
