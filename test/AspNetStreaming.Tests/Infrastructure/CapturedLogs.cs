using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Tests.Infrastructure;

/// <summary>A logger provider that keeps every entry, so tests can assert event ids.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private ConcurrentQueue<LogEntry> _entries = new();

    /// <summary>Everything logged so far.</summary>
    public IReadOnlyCollection<LogEntry> Entries => _entries;

    /// <summary>Whether an entry with <paramref name="eventId"/> was logged.</summary>
    public bool Contains(int eventId) => _entries.Any(e => e.EventId.Id == eventId);

    internal void CopyFrom(CapturedLogs other) => _entries = other._entries;

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    /// <summary>One log entry.</summary>
    public sealed record LogEntry(string Category, EventId EventId, LogLevel Level, string Message, Exception? Exception);

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => owner._entries.Enqueue(new LogEntry(category, eventId, logLevel, formatter(state, exception), exception));
    }
}
