"""A page of the site an admin writes, kept raw beside its sanitized HTML."""

from django.db import models

from works.rendering import render_user_html


class Page(models.Model):
    """About, Contact and the like: /SLUG shows it (archive/urls.py names the ones served)."""

    slug = models.SlugField(unique=True, help_text="Its address: about is /about.")
    title = models.CharField(max_length=200)
    content = models.TextField(blank=True, help_text="HTML or plain text.")
    content_html = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Sanitized like every other text on the site, though only staff write it.
        self.content_html = render_user_html(self.content)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"/{self.slug}"
