using AspNetStreaming.Http.Ranges;

namespace AspNetStreaming.Tests.Files;

/// <summary>The Range grammar and the RFC 9110 §14 rules, as a table, against a 1000-byte representation.</summary>
public sealed class ByteRangeParserTests
{
    private const long Length = 1000;

    public static TheoryData<string?, string> Cases => new()
    {
        // header, expected: "full" | "416" | "a-b,c-d" (inclusive, after clamping and coalescing)
        { null, "full" },
        { "bytes=0-0", "0-0" },
        { "bytes=0-499", "0-499" },
        { "bytes=500-", "500-999" },
        { "bytes=-100", "900-999" },
        { "bytes=-5000", "0-999" },
        { "bytes=990-5000", "990-999" },
        { "BYTES=1-2", "1-2" },
        { "bytes= 1-2 , 5-6 ", "1-2,5-6" },
        { "bytes=1-2,,\t,5-6", "1-2,5-6" },
        { "bytes=,1-2", "1-2" },
        { "bytes=5-6,1-2", "1-2,5-6" },
        { "bytes=0-9,10-19", "0-19" },
        { "bytes=0-9,5-14", "0-14" },
        { "bytes=0-9,11-19", "0-9,11-19" },
        { "bytes=1000-", "416" },
        { "bytes=1000-2000", "416" },
        { "bytes=-0", "416" },
        { "bytes=-0,1000-", "416" },
        { "bytes=1000-,0-1", "0-1" },
        { "bytes=99999999999999999999999-", "416" },
        { "bytes=0-99999999999999999999999", "0-999" },
        { "items=0-1", "full" },
        { "bytes 0-1", "full" },
        { "bytes=", "full" },
        { "bytes=,", "full" },
        { "bytes=5-1", "full" },
        { "bytes=a-b", "full" },
        { "bytes=1", "full" },
        { "bytes=--1", "full" },
        { "bytes=1-2-3", "full" },
        { "bytes=0-1,x", "full" },
        { "bytes=+1-2", "full" },
        { "bytes=0-,0-", "full" },
        { "bytes=0-600,500-999", "full" },
        { "bytes=0-1,2-3,4-5,6-7,8-9,10-11,12-13,14-15,16-17,18-19,20-21,22-23,24-25,26-27,28-29,30-31", "0-31" },
        { "bytes=0-1,2-3,4-5,6-7,8-9,10-11,12-13,14-15,16-17,18-19,20-21,22-23,24-25,26-27,28-29,30-31,32-33", "full" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluates(string? header, string expected)
    {
        var result = ByteRangeParser.Evaluate(header, Length);
        Assert.Equal(expected, Describe(result));
    }

    [Fact]
    public void IgnoresRangesOnAnEmptyRepresentation()
        => Assert.Equal(RangeOutcome.Full, ByteRangeParser.Evaluate("bytes=0-0", 0).Outcome);

    [Fact]
    public void HonoursAConfiguredCap()
    {
        Assert.Equal(RangeOutcome.Full, ByteRangeParser.Evaluate("bytes=0-1,5-6,9-10", Length, maxRanges: 2).Outcome);
        Assert.Equal(RangeOutcome.Partial, ByteRangeParser.Evaluate("bytes=0-1,5-6", Length, maxRanges: 2).Outcome);
    }

    [Fact]
    public void NeverExceedsTheRepresentationLength()
    {
        // Any accepted set of ranges, after coalescing, adds up to at most the length.
        var random = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            var parts = Enumerable.Range(0, random.Next(1, 20)).Select(_ =>
            {
                var a = random.Next(0, 1200);
                return random.Next(3) switch
                {
                    0 => $"{a}-",
                    1 => $"-{a}",
                    _ => $"{a}-{a + random.Next(0, 300)}",
                };
            });
            var result = ByteRangeParser.Evaluate("bytes=" + string.Join(',', parts), Length);
            Assert.True(result.Ranges.Sum(r => r.Length) <= Length);
            for (var j = 1; j < result.Ranges.Count; j++)
            {
                Assert.True(result.Ranges[j].Start > result.Ranges[j - 1].End + 1, "ranges are sorted, disjoint and not adjacent");
            }
        }
    }

    private static string Describe(RangeEvaluation result) => result.Outcome switch
    {
        RangeOutcome.Full => "full",
        RangeOutcome.NotSatisfiable => "416",
        _ => string.Join(',', result.Ranges.Select(r => $"{r.Start}-{r.End}")),
    };
}
