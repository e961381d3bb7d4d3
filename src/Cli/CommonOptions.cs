using System.CommandLine;

namespace SparseCore.Cli;

/// <summary>Options several commands share, with one spelling and one default each.</summary>
internal static class CommonOptions
{
    public static Option<string?> Device() => new("--device")
    {
        Description = "cpu | cuda | ilgpu-cpu (default: $SPARSECORE_DEVICE, else cuda when an NVIDIA GPU is found, else cpu)",
    };

    public static Option<string> Data() => new("--data")
    {
        Description = "fashion-mnist, or a folder holding the four standard IDX files or the CIFAR-10/100 binary files",
        DefaultValueFactory = _ => "fashion-mnist",
    };

    public static Option<ulong> Seed() => new("--seed")
    {
        Description = "seed for initialisation, shuffling and splits",
        DefaultValueFactory = _ => 0UL,
    };
}
