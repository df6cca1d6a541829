import { Button, Modal, Select, Stack, TextInput, Textarea } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { ApiErrorAlert } from '@/components/api-error';
import { ApiError } from '@/lib/api-client';
import { useMe } from '@/lib/auth';
import { useCreateSite } from '../api/create-site';
import { useOrganizationChoices } from '../api/get-organization-choices';

export function CreateSiteModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const me = useMe();
  const isAdmin = me.data?.role === 'admin';
  const orgs = useOrganizationChoices(opened && isAdmin);
  const create = useCreateSite();
  const navigate = useNavigate();
  const [url, setUrl] = useState('');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [org, setOrg] = useState<string | null>(null);
  const fields = create.error instanceof ApiError ? create.error.fieldErrors : {};

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { url: url.trim(), name: name.trim(), description, organization_id: org ?? undefined },
      {
        onSuccess: (site) => {
          onClose();
          navigate(`/sites/${site.id}?connect=1`);
        },
      },
    );
  };

  return (
    <Modal opened={opened} onClose={onClose} title="Register a site">
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            label="Address"
            placeholder="https://www.example.org"
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
            error={fields.url}
            required
            data-autofocus
          />
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fields.name}
            required
          />
          <Textarea
            label="Description"
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            autosize
            minRows={2}
          />
          {isAdmin && (
            <Select
              label="Organization"
              data={(orgs.data?.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
              value={org}
              onChange={setOrg}
              searchable
              required
              error={fields.organization_id}
              nothingFoundMessage={
                orgs.isPending ? 'Loading…' : 'No organization yet: create one under Administration'
              }
            />
          )}
          <ApiErrorAlert error={create.error} title="The site was not registered" />
          <Button type="submit" loading={create.isPending}>
            Register
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}
