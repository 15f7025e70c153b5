"""`carepool pool ...`"""

import typer

app = typer.Typer(help="Section 75 pooled budgets: settle, template.", no_args_is_help=True)
