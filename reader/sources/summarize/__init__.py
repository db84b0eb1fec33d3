"""Korean summaries for the days from Hugging Face, written by the user's own model (any OpenAI-compatible
chat-completions server: OpenAI, Ollama, vLLM, LM Studio, llama.cpp's server).

For each paper of a Hugging Face day (library/huggingface/YYYY/MM/DD.md) that has no Korean summary yet:

1. its input: title, keywords and abstract (from the metadata store, else the digest's own English
   sections), or with `input: fulltext` the arXiv PDF's text (reader.sources.fulltext), cut to
   max_input_chars, put between <paper> and </paper> as data (the prompt says so);
2. one request to {base_url}/chat/completions with the system prompt (summary_prompt.txt in this package, or
   the user's own file), asking for a JSON object (JSON output mode where the server offers it: a server that
   refuses the parameter is asked again without it, and the JSON is then found in the text);
3. the answer is untrusted: it must hold the three sections as non-empty Korean text of a sane length; each
   is cleaned as digest text is (no control character, one line) or the paper is failed with the reason;
4. written at once into every Hugging Face digest holding the paper, above the English sections, in the
   archive's newest form (`- ***What's New***: ...`): the file is read, changed and replaced atomically
   under the library's lock (the one sync and import hold, for the few milliseconds of one write), so two
   summarisers, or a sync rewriting the day, never lose each other's writes; a kill -9 loses only the papers
   in flight, and the next run does only the rest.

Requests run on `concurrency` threads of their own; answers are checked there and written by the calling
thread, which reports through `progress` and stops at once when `cancel` is set (answers still in flight are
dropped, never written half). Nothing here prints or imports Textual: the CLI and the reader share it.

From the reader (a thread worker; every call here is Textual-free):

    settings, problems = read_summarizer_setting(paths.config_path())   # reader.core.summarizer_config
    check_ready(settings, problems)            # SummarizeSetupError: str(exc) is the one line to show
    targets = select(library_dir, date=day, store=store).targets       # or since=/until=/ids=
    result = summarize(targets, settings, library=library_dir, cancel=event,
                       progress=lambda state: app.call_from_thread(show, state))
    # state.last: the Outcome just finished (its arxiv_id, date, sections or reason) to refresh the pane;
    # result.summary() is the one line for a notification; result.fatal names what stopped the run.

The key (read from the environment variable the setting names) goes to base_url's origin only
(reader.sources.http), and into no message: what a server says back is shown only with anything that looks
like a key removed.
"""


from reader.sources.summarize.answer import MAX_SECTION_CHARS, answer_text, parse_sections, redact, usage_tokens
from reader.sources.summarize.errors import Fatal, PaperFailed, SummarizeSetupError
from reader.sources.summarize.request import PROMPT_FILE, api_key, load_prompt, open_model, open_pdfs, paper_message
from reader.sources.summarize.run import (Outcome, Request, SummaryProgress, SummaryResult, check_ready, dry_run,
                                          summarize)
from reader.sources.summarize.targets import Selection, Target, hf_digests, select
from reader.sources.summarize.writing import WRITE_WAIT, write_summary

__all__ = ["MAX_SECTION_CHARS", "PROMPT_FILE", "WRITE_WAIT", "Fatal", "Outcome", "PaperFailed", "Request", "Selection",
           "SummarizeSetupError", "SummaryProgress", "SummaryResult", "Target", "answer_text", "api_key",
           "check_ready", "dry_run", "hf_digests", "load_prompt", "open_model", "open_pdfs", "paper_message",
           "parse_sections", "redact", "select", "summarize", "usage_tokens", "write_summary"]
