import json

from django.core.management.base import BaseCommand, CommandError

from paperfeed.api.serializers import PaperBatch
from paperfeed.papers.ids import parse_arxiv_reference
from paperfeed.papers.models import Paper


class Command(BaseCommand):
    help = "Show one paper of the local database, by arXiv id or URL, as text or as the API's JSON."

    def add_arguments(self, parser):
        parser.add_argument("id", help="an arXiv id (2410.17243, hep-th/9901001) or an arXiv / Hugging Face link")
        parser.add_argument("--json", action="store_true", help="print the paper as GET /api/papers/<id> answers")

    def handle(self, *args, id: str, json: bool = False, **options):
        reference = parse_arxiv_reference(id)
        if reference is None:
            raise CommandError(f"{id!r} is not an arXiv id or link", returncode=2)
        paper = Paper.objects.filter(arxiv_id=reference.id).first()
        if paper is None:
            raise CommandError(f"{reference.id} is not in the database (`paperfeed submit {reference.id}` fetches it)")
        data = PaperBatch([paper.pk]).paper(paper)
        if json:
            self.stdout.write(_json_dumps(data))
            return
        authors = ", ".join(a["name"] for a in data["authors"]) or "(no authors)"
        lines = [data["title"], authors, ""]
        lines.append(f"arXiv {paper.arxiv_id}v{paper.latest_version}  published {data['publishedAt'][:10]}"
                     f"  {data['upvotes']} upvotes  {data['numComments']} comments")
        if "submittedOnDailyAt" in data:
            by = data.get("submittedOnDailyBy", {}).get("name")
            lines.append(f"on the daily list of {data['submittedOnDailyAt'][:10]}" + (f", submitted by {by}" if by else ""))
        for label, key in (("code", "githubRepo"), ("project", "projectPage")):
            if key in data:
                lines.append(f"{label}: {data[key]}")
        lines.append(f"{paper.abs_url}  {paper.pdf_url}")
        if paper.withdrawn:
            lines.append("WITHDRAWN")
        lines += ["", paper.abstract or "(no abstract)"]
        self.stdout.write("\n".join(lines))


def _json_dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
